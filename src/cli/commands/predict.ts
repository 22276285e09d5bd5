import type { Command } from "commander";
import { type Game, MS_MINUTE } from "../../domain/index.ts";
import {
  describeMissingInputs,
  describeReason,
  executeStage,
  type GamePrediction,
  MIN_REASON_LOGIT,
  type StageEnv,
  writeExplanations,
} from "../../snapshot/index.ts";
import { parseInteger, parseWeeks, seasonOf } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { createStageEnv, inSampleNote, type ModelFlags, weekGames } from "../stage-env.ts";
import { formatTable } from "../table.ts";
import { formatEt, formatUtc } from "../time.ts";

interface PredictOptions extends CommonOptions, ModelFlags {
  readonly season: string;
  readonly week: string;
}

export function predictionTable(preds: readonly GamePrediction[]): string {
  return formatTable(
    preds.map((p) => ({
      game: `${p.awayTeam} @ ${p.homeTeam}`,
      kickoff_et: formatEt(p.kickoff),
      kickoff_utc: formatUtc(p.kickoff),
      p_home: Number(p.pHome.toFixed(3)),
      p_away: Number(p.pAway.toFixed(3)),
      pick: p.pick,
      tier: p.tier,
      top_reasons:
        p.reasons.length > 0
          ? p.reasons.map((r) => describeReason(r, p.homeTeam, p.awayTeam)).join("; ")
          : `(no feature moves it by ${MIN_REASON_LOGIT} logit or more)`,
    })),
  );
}

export function registerPredict(program: Command, rt: Runtime): void {
  program
    .command("predict")
    .description("score every game of a week (ad hoc, outside the snapshot ladder) and store the predictions")
    .requiredOption("--season <n>", "season")
    .requiredOption("--week <weeks>", "week (1-22), or weeks as a range (1-6) or a list (21,22)")
    .option("--model-path <path>", "model artifact (default: data/models/current, else the newest)")
    .option("--model-id <id>", "model id under data/models/")
    .option("--feature-set <id>", "feature set (default: the model's)")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: PredictOptions) => {
      const cfg = configFor(rt, opts);
      const season = parseInteger(opts.season, "--season", 1999, seasonOf(rt.now()) + 1);
      const weeks = parseWeeks(opts.week, "--week");
      const note = await withDatabase(cfg, async (db) => {
        const env = await createStageEnv(rt, cfg, db, opts, "predict", { requireModel: true, season });
        // Every week is checked for games before any is scored, so a bad week leaves nothing half-written.
        const plan = weeks.map((week) => ({
          week,
          games: weekGames(rt, cfg, env.games, { season, week, now: env.now }),
        }));
        const all: GamePrediction[] = [];
        for (const { week, games } of plan) {
          const preds = await predictWeek(env, season, week, games);
          if (env.model)
            await writeExplanations(env.shapDir, season, week, env.model.artifact.modelId, preds);
          rt.out(predictionTable(preds));
          const missing = describeMissingInputs(preds);
          if (missing) rt.out(missing);
          rt.out(`Generated ${preds.length} predictions for season ${season} week ${week}.`);
          all.push(...preds);
        }
        return inSampleNote(env.model, all);
      });
      if (note) rt.out(note);
    });
}

/** Scores one week's games, each as of its own T-60m, or as of now if that is still ahead (an early look). */
async function predictWeek(
  env: StageEnv,
  season: number,
  week: number,
  games: readonly Game[],
): Promise<GamePrediction[]> {
  const out: GamePrediction[] = [];
  const byCutoff = new Map<number, string[]>();
  for (const g of games) {
    const cutoff = Math.min(g.kickoff - 60 * MS_MINUTE, env.now);
    byCutoff.set(cutoff, [...(byCutoff.get(cutoff) ?? []), g.gameId]);
  }
  for (const [cutoff, gameIds] of byCutoff) {
    const kickoff = games.find((g) => g.gameId === gameIds[0])!.kickoff;
    const final = cutoff === kickoff - 60 * MS_MINUTE;
    const r = await executeStage(
      env,
      {
        stage: final ? "T-60m" : "adhoc",
        kickoff,
        stageTime: cutoff,
        gameIds,
        asOf: cutoff,
        snapshotAt: cutoff,
        rehearsal: !final,
      },
      season,
      week,
    );
    out.push(...r.predictions);
  }
  return out.sort((a, b) => a.kickoff - b.kickoff || a.gameId.localeCompare(b.gameId));
}
