import { Command, CommanderError } from "commander";
import { isNflPredError } from "../domain/index.ts";
import { registerBacktest } from "./commands/backtest.ts";
import { registerBackup } from "./commands/backup.ts";
import { registerBuildFeatures } from "./commands/build-features.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerExport } from "./commands/export.ts";
import { registerFeatureSpec } from "./commands/feature-spec.ts";
import { registerIngest } from "./commands/ingest.ts";
import { registerMlflowHygiene } from "./commands/mlflow-hygiene.ts";
import { registerModels } from "./commands/models.ts";
import { registerMonitor } from "./commands/monitor.ts";
import { registerNotify } from "./commands/notify.ts";
import { registerPredict } from "./commands/predict.ts";
import { registerPromote } from "./commands/promote.ts";
import { registerReport } from "./commands/report.ts";
import { registerRestore } from "./commands/restore.ts";
import { registerRollback } from "./commands/rollback.ts";
import { registerSchedule } from "./commands/schedule.ts";
import { registerServe } from "./commands/serve.ts";
import { registerSnapshot } from "./commands/snapshot.ts";
import { registerSql } from "./commands/sql.ts";
import { registerTrain } from "./commands/train.ts";
import { registerTriggers } from "./commands/triggers.ts";
import { createRuntime } from "./runtime.ts";

/** The composition root: builds the program, runs it, and maps every error to a message and exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  // A closed pipe (`nfl-pred sql … | head`) is a normal end of output, not a crash.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  });
  const rt = createRuntime(debug ? "debug" : undefined);
  const program = new Command("nfl-pred")
    .description("Point-in-time NFL win probabilities and picks from nflverse data")
    .version(rt.version, "-V, --version")
    .option("--debug", "print stack traces and debug logs")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerIngest(program, rt);
  registerBacktest(program, rt);
  registerBuildFeatures(program, rt);
  registerExport(program, rt);
  registerFeatureSpec(program, rt);
  registerPredict(program, rt);
  registerSchedule(program, rt);
  registerServe(program, rt);
  registerSnapshot(program, rt);
  registerSql(program, rt);
  registerTrain(program, rt);
  registerReport(program, rt);
  registerMonitor(program, rt);
  registerTriggers(program, rt);
  registerNotify(program, rt);
  registerModels(program, rt);
  registerPromote(program, rt);
  registerRollback(program, rt);
  registerMlflowHygiene(program, rt);
  registerBackup(program, rt);
  registerRestore(program, rt);
  registerDoctor(program, rt);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0
        ? 0
        : 2;
    }
    if (isNflPredError(e)) {
      process.stderr.write(`error: ${e.message}\n`);
      if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
      if (debug && e.cause) process.stderr.write(`${String((e.cause as Error).stack ?? e.cause)}\n`);
      return e.exitCode;
    }
    process.stderr.write(`unexpected error: ${(e as Error).message ?? String(e)}\n`);
    process.stderr.write(debug ? `${(e as Error).stack}\n` : "run again with --debug for the stack trace\n");
    return 1;
  }
}
