import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import {
  describeMissingInputs,
  executeStage,
  type GamePrediction,
  planLadder,
  writeExplanations,
} from "../../snapshot/index.ts";
import { parseInstant, parseInteger, seasonOf } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { createStageEnv, inSampleNote, type ModelFlags, weekGames } from "../stage-env.ts";
import { formatUtc } from "../time.ts";
import { predictionTable } from "./predict.ts";

interface SnapshotOptions extends CommonOptions, ModelFlags {
  readonly season: string;
  readonly week: string;
  readonly at?: string;
  readonly fullTimeline?: boolean;
  readonly finalOnly?: boolean;
  readonly now?: string;
  readonly wait?: boolean;
}

export function registerSnapshot(program: Command, rt: Runtime): void {
  program
    .command("snapshot")
    .description("run the kickoff-relative snapshot ladder (T-24h, T-100m, T-80m, T-75m, T-60m) for a week")
    .requiredOption("--season <n>", "season")
    .requiredOption("--week <n>", "week (1-22)")
    .option("--at <iso>", "only the games kicking off at this instant (must be a kickoff slot of the week)")
    .option("--feature-set <id>", "feature set (default: the model's)")
    .option("--model-id <id>", "model id under data/models/ (default: current, else newest)")
    .option("--model-path <path>", "model artifact path")
    .option("--full-timeline", "run every stage whose time has come and list those ahead")
    .option("--final-only", "run the T-60m stage only (now, as a rehearsal, if its time has not come)")
    .option("--now <iso>", "pretend the wall clock says this (rehearsals and tests)")
    .option("--wait", "stay running and execute each remaining stage when its time arrives")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: SnapshotOptions) => {
      if (opts.fullTimeline && opts.finalOnly) {
        throw new NflPredError("USAGE", "--full-timeline and --final-only exclude each other", {
          flag: "--final-only",
        });
      }
      const cfg = configFor(rt, opts);
      const season = parseInteger(opts.season, "--season", 1999, seasonOf(rt.now()) + 1);
      const week = parseInteger(opts.week, "--week", 1, 22);
      const at = opts.at === undefined ? undefined : parseInstant(opts.at, "--at");
      const fixedNow = opts.now === undefined ? undefined : parseInstant(opts.now, "--now");
      const clock = () => fixedNow ?? rt.now();
      const mode = opts.finalOnly ? "final-only" : opts.fullTimeline ? "full-timeline" : "default";
      let executed = 0;
      const preds: GamePrediction[] = [];
      let note: string | undefined;
      await withDatabase(cfg, async (db) => {
        const env = await createStageEnv(rt, cfg, db, opts, "snapshot", { requireModel: false, season });
        const games = weekGames(rt, cfg, env.games, { season, week, now: clock() });
        const slotGames = games.map((g) => ({ gameId: g.gameId, kickoff: g.kickoff }));
        const done = new Set<string>();
        const runDue = async (now: number) => {
          const plan = planLadder({ games: slotGames, now, at, mode });
          for (const run of plan.due) {
            const key = `${run.stage}|${run.kickoff}`;
            if (done.has(key)) continue;
            done.add(key);
            const r = await executeStage({ ...env, now: clock(), wallClock: rt.now() }, run, season, week);
            executed++;
            preds.push(...r.predictions);
            rt.out(
              `  ${run.stage.padEnd(6)} slot ${formatUtc(run.kickoff)}: ${r.featureRows} feature rows, ${r.predictions.length} predictions, snapshot_at ${formatUtc(run.snapshotAt)}${run.rehearsal ? " (rehearsal: now)" : ""}`,
            );
            if (run.stage === "T-60m" && !env.model)
              rt.out("    no model found: T-60m stored features only (train one with `npx nfl-pred train`)");
          }
          return plan;
        };
        let plan = await runDue(clock());
        while (opts.wait && plan.ahead.length > 0) {
          const next = Math.min(...plan.ahead.map((a) => a.stageTime));
          rt.out(`Waiting until ${formatUtc(next)} for the next stage …`);
          await sleep(Math.max(0, next - rt.now()));
          plan = await runDue(rt.now());
        }
        if (preds.length > 0 && env.model) {
          const latest = new Map<string, GamePrediction>();
          for (const p of preds) latest.set(p.gameId, p);
          const files = await writeExplanations(env.shapDir, season, week, env.model.artifact.modelId, [
            ...latest.values(),
          ]);
          rt.out(`Explanations: ${files.csv}, ${files.png}`);
          note = inSampleNote(env.model, [...latest.values()]);
        }
        if (plan.ahead.length > 0) {
          rt.out("Stages still ahead (UTC):");
          for (const a of plan.ahead)
            rt.out(
              `  ${a.stage.padEnd(6)} ${formatUtc(a.stageTime)} for kickoff ${formatUtc(a.kickoff)} (${a.gameIds.length} games)`,
            );
        }
      });
      if (preds.length > 0) {
        const latest = new Map<string, GamePrediction>();
        for (const p of preds) latest.set(p.gameId, p);
        rt.out(predictionTable([...latest.values()].sort((a, b) => a.kickoff - b.kickoff)));
        const missing = describeMissingInputs([...latest.values()]);
        if (missing) rt.out(missing);
      }
      if (note) rt.out(note);
      rt.out(`Executed ${executed} snapshot stage runs for season ${season} week ${week}.`);
    });
}
