import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { SEASON_PHASES, seasonRanges } from "../../domain/index.ts";
import { GAMES_SQL, normalizeGame } from "../../features/index.ts";
import { LEARNER_KINDS } from "../../model/index.ts";
import { writeAtomic } from "../../registry/index.ts";
import {
  accuracy,
  brierScore,
  expectedCalibrationError,
  logLoss,
  pairedBrierDifference,
  reliabilityBins,
  slopeWithError,
} from "../../report/index.ts";
import { FIRST_SEASON, parseList, parseSeasons } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { formatSlope, formatTable, toCsv } from "../table.ts";
import {
  builtEarlyWarning,
  loadGamePairs,
  noCompletedRowsError,
  resolveModelFeatures,
} from "../training-data.ts";
import { type BacktestRow, walkForward } from "../walk-forward.ts";
import { resolveFeatureSet } from "./build-features.ts";
import { formatWeeks } from "./report.ts";
import { trainSettings } from "./train.ts";

interface BacktestOptions extends CommonOptions {
  readonly seasons: string[];
  readonly featureSet?: string;
  readonly retrain: string;
  readonly model?: string;
}

export function registerBacktest(program: Command, rt: Runtime): void {
  program
    .command("backtest")
    .description(
      "walk-forward backtest: every game predicted by a model trained only on earlier games, vs Elo and the market",
    )
    .requiredOption("--seasons <seasons...>", "seasons to predict (e.g. 2015-2025)")
    .option("--feature-set <id>", "feature set (default from config: mvp_v1)")
    .option("--retrain <when>", "weekly | seasonly", "weekly")
    .option("--model <kind>", `${LEARNER_KINDS.join(" | ")} (default from config)`)
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: BacktestOptions) => {
      const cfg = configFor(rt, opts);
      const seasons = parseSeasons(opts.seasons, rt.now());
      const featureSet = opts.featureSet ?? cfg.features.feature_set;
      resolveFeatureSet(featureSet);
      const defs = resolveModelFeatures(featureSet, cfg.training.model_features);
      const [retrain] = parseList(opts.retrain, ["weekly", "seasonly"] as const, "--retrain");
      const learner = opts.model ? parseList(opts.model, LEARNER_KINDS, "--model")[0] : undefined;
      const settings = {
        ...trainSettings(cfg, learner ? { learner } : {}),
        holdoutWeeks: 0,
      };
      const first = seasons[0]!;
      const stamp = new Date(rt.now())
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      const runId = `bt_${featureSet}_${settings.learner}_${retrain}_${stamp}`;
      const { pairs, games } = await withDatabase(cfg, async (db) => {
        const loaded = await loadGamePairs(
          db,
          featureSet,
          defs.map((d) => d.name),
          {
            seasons: Array.from(
              { length: seasons.at(-1)! - first + cfg.training.seasons_back + 1 },
              (_, i) => first - cfg.training.seasons_back + i,
            ),
          },
        );
        if (!loaded.some((p) => seasons.includes(p.season) && p.label !== null)) {
          throw await noCompletedRowsError(
            db,
            seasons,
            `no T-60m features of completed games for seasons ${seasonRanges(seasons)} (${featureSet})`,
            `run \`npx nfl-pred build-features --seasons ${Math.max(FIRST_SEASON, first - cfg.training.seasons_back)}-${seasons.at(-1)} --feature-set ${featureSet}\` first`,
          );
        }
        return { pairs: loaded, games: (await db.all(GAMES_SQL)).map(normalizeGame) };
      });
      const early = builtEarlyWarning(pairs);
      if (early) rt.out(early);
      const bar = rt.interactive
        ? new SingleBar({ format: "backtest [{bar}] {value}/{total} {label}", hideCursor: true })
        : null;
      const rows = walkForward(pairs, games, defs, settings, {
        seasons,
        retrain: retrain!,
        seasonsBack: cfg.training.seasons_back,
        seasonWeights: cfg.training.season_weights,
        runId,
        ...(cfg.training.l2_grid.length > 0 ? { l2Grid: cfg.training.l2_grid } : {}),
        onBlock: (done, total, label) => {
          if (bar) {
            if (done === 1) bar.start(total, 0, { label });
            bar.update(done, { label });
          } else if (done % 20 === 0 || done === total) rt.log.info({ done, total }, "backtest progress");
        },
      });
      bar?.stop();
      const blocks = new Set(rows.map((r) => r.modelId));
      const summary = summarize(rows);
      const reportsDir = cfg.paths.reports_dir;
      mkdirSync(reportsDir, { recursive: true });
      const csvPath = join(reportsDir, `backtest_${runId}.csv`);
      writeAtomic(csvPath, toCsv(summary));
      const pngPath = join(reportsDir, `backtest_${runId}.png`);
      const bySeason = summary.filter((r) => isSeasonScope(r.scope));
      const { lineSpec, reliabilitySpec, renderPng, writePngAtomic } = await import("../../charts/index.ts");
      await writePngAtomic(
        pngPath,
        await renderPng(
          lineSpec({
            title: `Walk-forward Brier by season — ${featureSet} ${settings.learner} (${retrain} retrain)`,
            xTitle: "Season",
            yTitle: "Brier score (lower is better)",
            series: ["model", "elo", "market"].map((source) => ({
              name: source,
              points: bySeason
                .filter((r) => r.source === source)
                .map((r) => ({ x: Number(r.scope), y: r.brier_score })),
            })),
          }),
        ),
      );
      // Calibration on every predicted game, beside the baselines on the same games.
      const reliabilityPath = join(reportsDir, `backtest_${runId}_reliability.png`);
      const priced = rows.filter((r) => r.pMarket !== null);
      const curve = (name: string, rs: readonly BacktestRow[], p: (r: BacktestRow) => number) => ({
        name: `${name} (n = ${rs.length})`,
        bins: reliabilityBins(
          rs.map(p),
          rs.map((r) => r.label),
          10,
        ),
      });
      await writePngAtomic(
        reliabilityPath,
        await renderPng(
          reliabilitySpec({
            title: `Walk-forward reliability — ${featureSet} ${settings.learner}, seasons ${formatWeeks(seasons)}`,
            series: [
              curve("model", rows, (r) => r.pModel),
              curve("Elo", rows, (r) => r.pElo),
              curve("market, vig-free close", priced, (r) => r.pMarket!),
            ],
          }),
        ),
      );
      await withDatabase(cfg, async (db) => {
        await db.transaction(async () => {
          await db.run("DELETE FROM backtest_predictions WHERE run_id = ?", [runId]);
          await db.appendRows(
            "backtest_predictions",
            [
              "VARCHAR",
              "VARCHAR",
              "INTEGER",
              "INTEGER",
              "DOUBLE",
              "DOUBLE",
              "VARCHAR",
              "VARCHAR",
              "DOUBLE",
              "DOUBLE",
            ],
            rows.map((r) => [
              runId,
              r.gameId,
              r.season,
              r.week,
              r.pModel,
              r.label,
              r.modelId,
              featureSet,
              r.pElo,
              r.pMarket,
            ]),
          );
        });
      });
      rt.out(formatTable(summary.filter((r) => r.scope === "overall")));
      for (const line of comparisons(rows)) rt.out(line);
      rt.out("");
      rt.out(formatTable(pivotBrier(summary, "season")));
      rt.out("");
      rt.out(formatTable(pivotBrier(summary, "phase")));
      rt.out("");
      rt.out(
        "Calibration by phase (slope ± its standard error; below 1: too confident. bias: mean p_home − home win rate)",
      );
      rt.out(formatTable(pivotCalibration(summary)));
      rt.out("");
      rt.out(
        `Backtest ${runId}: ${rows.length} games, ${blocks.size} ${retrain === "weekly" ? "weekly" : "seasonal"} retrains`,
      );
      rt.out(`Report: ${csvPath}`);
      rt.out(`Charts: ${pngPath}, ${reliabilityPath}`);
    });
}

/** The model against each baseline on the same games, with week-clustered standard errors. */
export function comparisons(rows: readonly BacktestRow[]): string[] {
  const fmt = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(4)}`;
  const line = (name: string, rs: readonly BacktestRow[], base: (r: BacktestRow) => number) => {
    const d = pairedBrierDifference(
      rs.map((r) => r.pModel),
      rs.map(base),
      rs.map((r) => r.label),
      rs.map((r) => `${r.season}-${r.week}`),
    );
    return `Model − ${name}: Brier ${fmt(d.diff)} (SE ${d.se.toFixed(4)}, ${d.n} games in ${d.clusters} weeks)`;
  };
  const withMarket = rows.filter((r) => r.pMarket !== null);
  return [
    line("Elo", rows, (r) => r.pElo),
    ...(withMarket.length > 0 ? [line("market", withMarket, (r) => r.pMarket!)] : []),
  ];
}

export interface SummaryRow extends Record<string, unknown> {
  scope: string;
  source: string;
  n: number;
  brier_score: number;
  log_loss: number;
  accuracy: number;
  ece: number;
  /** Calibration slope (logistic recalibration on logit p): below 1, the probabilities are too far from 0.5. */
  slope: number;
  /** Standard error of `slope` (from the fit's information): a slope from 60 games is a rough estimate. */
  slope_se: number;
  /** Mean predicted home-win probability minus the home teams' observed rate (ties 0.5). */
  bias: number;
}

/**
 * Brier, log loss, accuracy, ECE, calibration slope and bias of the model and both baselines: overall, by
 * season (scope "2019") and by phase of the season (scope "weeks 1-4", …, "playoffs").
 */
export function summarize(rows: readonly BacktestRow[]): SummaryRow[] {
  const out: SummaryRow[] = [];
  const seasons = [...new Set(rows.map((r) => r.season))].sort((a, b) => a - b).map(String);
  const phases = SEASON_PHASES.filter((ph) => rows.some((r) => r.phase === ph));
  const scopes: [string, (r: BacktestRow) => boolean][] = [
    ["overall", () => true],
    ...seasons.map((s): [string, (r: BacktestRow) => boolean] => [s, (r) => String(r.season) === s]),
    ...phases.map((ph): [string, (r: BacktestRow) => boolean] => [ph, (r) => r.phase === ph]),
  ];
  for (const [scope, inScope] of scopes) {
    const rs = rows.filter(inScope);
    const withMarket = rs.filter((r) => r.pMarket !== null);
    for (const [source, sel, get] of [
      ["model", rs, (r: BacktestRow) => r.pModel],
      ["elo", rs, (r: BacktestRow) => r.pElo],
      ["market", withMarket, (r: BacktestRow) => r.pMarket!],
      ["model_on_market_games", withMarket, (r: BacktestRow) => r.pModel],
    ] as const) {
      if (sel.length === 0) continue;
      const p = sel.map(get);
      const y = sel.map((r) => r.label);
      const { slope, se } = slopeWithError(p, y);
      out.push({
        scope,
        source,
        n: sel.length,
        brier_score: round(brierScore(p, y)),
        log_loss: round(logLoss(p, y)),
        accuracy: round(accuracy(p, y)),
        ece: round(expectedCalibrationError(p, y)),
        slope: round(slope),
        slope_se: round(se),
        bias: round(mean(p) - mean(y)),
      });
    }
  }
  return out;
}

const isSeasonScope = (scope: string) => /^\d{4}$/.test(scope);

/** One row per season or per phase: the Brier of the model and both baselines side by side. */
function pivotBrier(summary: readonly SummaryRow[], by: "season" | "phase"): Record<string, unknown>[] {
  const scopes = [
    ...new Set(
      summary
        .filter((r) => r.scope !== "overall" && isSeasonScope(r.scope) === (by === "season"))
        .map((r) => r.scope),
    ),
  ];
  return scopes.map((s) => {
    const get = (src: string) => summary.find((r) => r.scope === s && r.source === src)?.brier_score ?? null;
    return {
      [by]: by === "season" ? Number(s) : s,
      n: summary.find((r) => r.scope === s && r.source === "model")?.n ?? 0,
      brier_model: get("model"),
      brier_elo: get("elo"),
      brier_market: get("market"),
    };
  });
}

/** One row per phase: the calibration slope and bias of the model and both baselines side by side. */
function pivotCalibration(summary: readonly SummaryRow[]): Record<string, unknown>[] {
  const phases = [
    ...new Set(summary.filter((r) => r.scope !== "overall" && !isSeasonScope(r.scope)).map((r) => r.scope)),
  ];
  return phases.map((ph) => {
    const row = (src: string) => summary.find((r) => r.scope === ph && r.source === src);
    const cells: Record<string, unknown> = { phase: ph };
    for (const src of ["model", "elo", "market"]) cells[`slope_${src}`] = slopeCell(row(src));
    for (const src of ["model", "elo", "market"]) cells[`bias_${src}`] = signed(row(src)?.bias);
    return cells;
  });
}

/** A summary row's slope with its standard error (see `formatSlope`). */
export const slopeCell = (r: SummaryRow | undefined) =>
  r === undefined ? null : formatSlope(r.slope, r.slope_se);
const signed = (x: number | undefined) =>
  x === undefined ? null : `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(3)}`;

function mean(xs: readonly number[]): number {
  return xs.reduce((s, v) => s + v, 0) / xs.length;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
