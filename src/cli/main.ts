import { Command, CommanderError } from "commander";
import { isNflPredError } from "../domain/index.ts";
import { registerBacktest } from "./commands/backtest.ts";
import { registerBuildFeatures } from "./commands/build-features.ts";
import { registerExport } from "./commands/export.ts";
import { registerFeatureSpec } from "./commands/feature-spec.ts";
import { registerIngest } from "./commands/ingest.ts";
import { registerPredict } from "./commands/predict.ts";
import { registerSchedule } from "./commands/schedule.ts";
import { registerSnapshot } from "./commands/snapshot.ts";
import { registerSql } from "./commands/sql.ts";
import { registerTrain } from "./commands/train.ts";
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
  registerSnapshot(program, rt);
  registerSql(program, rt);
  registerTrain(program, rt);
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
