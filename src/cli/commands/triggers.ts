import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import { configFor, type Runtime, withDatabase } from "../runtime.ts";
import {
  type AssessOptions,
  assessWeek,
  BASELINE_HELP,
  decisionLines,
  registerAssessOptions,
} from "./monitor.ts";

/** Exit status of `triggers` when a retrain trigger fires (0 when none does). */
export const TRIGGERED_EXIT_CODE = 10;

export function registerTriggers(program: Command, rt: Runtime): void {
  const cmd = program
    .command("triggers")
    .description(
      "evaluate the retrain triggers for a season-week and print the decision (exit 0: no retrain, 10: retrain)",
    );
  registerAssessOptions(cmd)
    .option("--json", "print the decision as JSON")
    .addHelpText(
      "after",
      `
Reads the database only (predictions, schedules, features) and writes nothing; \`nfl-pred monitor\` runs the
same evaluation and also writes the files and sends alerts. Exit status: 0 not triggered, 10 triggered,
1 no data for the week.
${BASELINE_HELP}`,
    )
    .action(async (opts: AssessOptions & { json?: boolean }) => {
      const cfg = configFor(rt, opts);
      const a = await withDatabase(cfg, (db) => assessWeek(rt, cfg, db, opts), { readOnly: true });
      if (opts.json) {
        rt.out(
          JSON.stringify(
            {
              season: a.season,
              week: a.week,
              triggered: a.decision.triggered,
              reasons: a.decision.reasons,
              checks: a.decision.checks,
              baseline: a.baseline ?? null,
              rule_flags: a.ruleFlags,
            },
            null,
            2,
          ),
        );
      } else {
        for (const line of decisionLines(a)) rt.out(line);
      }
      if (a.decision.triggered) {
        // Exit 10 is the contract for schedulers; main prints this line to stderr.
        throw new NflPredError(
          "ALERT",
          `retrain triggered for season ${a.season} week ${a.week} (${a.decision.reasons.length} check${a.decision.reasons.length === 1 ? "" : "s"} fired; exit ${TRIGGERED_EXIT_CODE})`,
          { exitCode: TRIGGERED_EXIT_CODE },
        );
      }
    });
}
