import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import {
  artifactPath,
  describeTrainingWindow,
  inSampleByModel,
  readArtifact,
  writeAtomic,
} from "../../registry/index.ts";
import {
  buildReliabilityTable,
  buildReportMetrics,
  type GameOutcome,
  type ReliabilityRow,
  type WindowMetrics,
} from "../../report/index.ts";
import {
  type Database,
  loadScoredPredictions,
  type ScoredPrediction,
  writeReportRows,
} from "../../storage/index.ts";
import { parseInteger, seasonOf } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { formatTable, toCsv } from "../table.ts";

interface ReportOptions extends CommonOptions {
  readonly season: string;
  readonly week: string;
}

/** The promoted model (`data/models/current`) whose predictions are scored first; null when none is promoted. */
export function findPreferredModelId(modelsDir: string): string | null {
  const current = join(modelsDir, "current");
  if (!existsSync(current)) return null;
  return readArtifact(current).artifact.modelId;
}

/**
 * One line per model whose training window holds some of the scored games (a replay of a week a later
 * model has learned from): those figures are in-sample and flatter it. A model whose artifact is gone or
 * unreadable is left out; its games cannot be judged.
 */
export function inSampleNotes(scored: readonly ScoredPrediction[], modelsDir: string): string[] {
  const windowOf = (modelId: string) => {
    try {
      return readArtifact(artifactPath(modelsDir, modelId)).artifact.trainingWindow;
    } catch {
      // A missing or corrupt artifact is for `doctor` and `models` to report; the predictions still score.
      return undefined;
    }
  };
  return inSampleByModel(scored, windowOf).map(
    (m) =>
      `note: ${m.inSample} of the ${m.total} games scored for ${m.modelId} were in its training window ` +
      `(${describeTrainingWindow(m.window)}): in-sample figures that flatter it; \`backtest\` gives out-of-sample ones.`,
  );
}

/** Completed games only, as the scoring functions take them. */
export function toOutcomes(preds: readonly ScoredPrediction[]): GameOutcome[] {
  return preds
    .filter((p) => p.label !== null)
    .map((p) => ({ season: p.season, week: p.week, gameId: p.gameId, pHome: p.pHome, label: p.label! }));
}

/** Rounds for files: 6 decimals, non-finite as an empty cell. */
export function round6(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toFixed(6)) : null;
}

/** "1-6" for consecutive weeks, else "3,5,6". */
export function formatWeeks(weeks: readonly number[]): string {
  if (weeks.length === 0) return "";
  const consecutive = weeks.every((w, i) => i === 0 || w === weeks[i - 1]! + 1);
  return consecutive && weeks.length > 1 ? `${weeks[0]}-${weeks.at(-1)}` : weeks.join(",");
}

export const METRIC_COLUMNS = [
  "season",
  "week",
  "metric_window",
  "segment",
  "weeks",
  "brier_score",
  "log_loss",
  "accuracy",
  "ece",
  "n",
] as const;

export function metricRow(season: number, week: number, m: WindowMetrics): Record<string, unknown> {
  return {
    season,
    week,
    metric_window: m.metricWindow,
    segment: m.segment,
    weeks: formatWeeks(m.weeks),
    brier_score: round6(m.brierScore),
    log_loss: round6(m.logLoss),
    accuracy: round6(m.accuracy),
    ece: round6(m.ece),
    n: m.n,
  };
}

export const RELIABILITY_COLUMNS = [
  "season",
  "week",
  "metric_window",
  "segment",
  "bin",
  "lower",
  "upper",
  "count",
  "mean_predicted",
  "observed_rate",
] as const;

function reliabilityRow(season: number, week: number, r: ReliabilityRow): Record<string, unknown> {
  return {
    season,
    week,
    metric_window: r.metricWindow,
    segment: r.segment,
    bin: r.bin,
    lower: round6(r.lower),
    upper: round6(r.upper),
    count: r.count,
    mean_predicted: round6(r.meanPredicted),
    observed_rate: round6(r.observedRate),
  };
}

/** Loads the scored predictions of `seasons` and fails clearly when week `week` of `season` has nothing to score. */
export async function loadWeekOutcomes(
  db: Database,
  modelsDir: string,
  season: number,
  week: number,
  seasons: readonly number[] = [season],
): Promise<{ outcomes: GameOutcome[]; preds: ScoredPrediction[]; preferredModelId: string | null }> {
  const preferredModelId = findPreferredModelId(modelsDir);
  const preds = await loadScoredPredictions(db, seasons, preferredModelId);
  const thisWeek = preds.filter((p) => p.season === season && p.week === week);
  if (thisWeek.length === 0) {
    throw new NflPredError("NO_DATA", `no T-60m predictions for season ${season} week ${week}`, {
      hint: `run \`npx nfl-pred snapshot --season ${season} --week ${week}\` (or \`predict\`) before reporting`,
    });
  }
  if (thisWeek.every((p) => p.label === null)) {
    throw new NflPredError(
      "NO_DATA",
      `no completed games in season ${season} week ${week} yet (${thisWeek.length} predictions wait for results)`,
      {
        hint: `after the games, refresh results with \`npx nfl-pred ingest --seasons ${season} --datasets schedules\``,
      },
    );
  }
  return { outcomes: toOutcomes(preds), preds, preferredModelId };
}

export function registerReport(program: Command, rt: Runtime): void {
  program
    .command("report")
    .description(
      "score a week's T-60m predictions of completed games (ties 0.5): metrics and reliability by week, " +
        "season to date and rolling weeks played, for all games and by favourite / underdog",
    )
    .requiredOption("--season <n>", "season")
    .requiredOption("--week <n>", "week (1-22)")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
Scores, per game, the latest T-60m prediction (the promoted model's in data/models/current when it made
one, else the newest). Segments: all; favourite = games whose home team the model favours (p_home >= 0.5);
underdog = games whose home team it does not. Writes to <reports_dir> (default data/reports):
  metrics_s<S>_w<W>.csv        metric_window (season_to_date, rolling_4, week) x segment:
                               brier_score, log_loss, accuracy, ece, n (first row: season to date, all)
  reliability_s<S>_w<W>.csv    10 equal-width bins per window and segment: count, mean_predicted, observed_rate
  reliability_s<S>_w<W>.png    season-to-date reliability diagram (all games); also
  reliability_favourite_s<S>_w<W>.png and reliability_underdog_s<S>_w<W>.png
and upserts the rows into the \`reports\` table. Re-running replaces them. Exit 1 when the week has no
predictions or no completed games.`,
    )
    .action(async (opts: ReportOptions) => {
      const cfg = configFor(rt, opts);
      const season = parseInteger(opts.season, "--season", 1999, seasonOf(rt.now()) + 1);
      const week = parseInteger(opts.week, "--week", 1, 22);
      const rollingWeeks = cfg.monitoring.retrain_triggers.rolling_weeks;
      const { metrics, reliability, modelIds, inSample } = await withDatabase(cfg, async (db) => {
        const { outcomes, preds } = await loadWeekOutcomes(db, cfg.paths.models_dir, season, week);
        const metrics = buildReportMetrics(outcomes, season, week, { rollingWeeks });
        const reliability = buildReliabilityTable(outcomes, season, week, { rollingWeeks });
        await writeReportRows(db, season, week, metrics, rt.now());
        const scored = preds.filter((p) => p.week <= week && p.label !== null);
        const modelIds = [...new Set(preds.filter((p) => p.week <= week).map((p) => p.modelId))];
        return { metrics, reliability, modelIds, inSample: inSampleNotes(scored, cfg.paths.models_dir) };
      });

      const dir = cfg.paths.reports_dir;
      mkdirSync(dir, { recursive: true });
      const tag = `s${season}_w${week}`;
      const files = {
        metrics: join(dir, `metrics_${tag}.csv`),
        reliability: join(dir, `reliability_${tag}.csv`),
        png: join(dir, `reliability_${tag}.png`),
        favourite: join(dir, `reliability_favourite_${tag}.png`),
        underdog: join(dir, `reliability_underdog_${tag}.png`),
      };
      const metricRows = metrics.map((m) => metricRow(season, week, m));
      writeAtomic(files.metrics, toCsv(metricRows, METRIC_COLUMNS));
      writeAtomic(
        files.reliability,
        toCsv(
          reliability.map((r) => reliabilityRow(season, week, r)),
          RELIABILITY_COLUMNS,
        ),
      );
      // Charts load vega and resvg (~0.7 s): only here, when drawn.
      const { reliabilitySpec, renderPng, writePngAtomic } = await import("../../charts/index.ts");
      const std = metrics.find((m) => m.metricWindow === "season_to_date" && m.segment === "all")!;
      for (const [segment, path, label] of [
        ["all", files.png, "all games"],
        ["favourite", files.favourite, "home favourites"],
        ["underdog", files.underdog, "home underdogs"],
      ] as const) {
        const bins = reliability.filter((r) => r.metricWindow === "season_to_date" && r.segment === segment);
        const n = bins.reduce((s, b) => s + b.count, 0);
        await writePngAtomic(
          path,
          await renderPng(
            reliabilitySpec({
              title: `Reliability, season ${season} weeks ${formatWeeks(std.weeks)} (${label}, n = ${n})`,
              series: [{ name: label, bins }],
            }),
          ),
        );
      }

      rt.out(
        formatTable(
          metricRows.map((r) => ({ ...r, season: undefined, week: undefined })),
          METRIC_COLUMNS.filter((c) => c !== "season" && c !== "week"),
        ),
      );
      rt.out();
      rt.out(`Scored predictions of model${modelIds.length === 1 ? "" : "s"} ${modelIds.join(", ")}.`);
      for (const line of inSample) rt.out(line);
      rt.out(`Wrote ${Object.values(files).join(", ")}`);
      rt.out(`Stored ${metrics.length} rows in the reports table for season ${season} week ${week}.`);
    });
}
