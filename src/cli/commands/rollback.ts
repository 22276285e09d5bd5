import { basename, join } from "node:path";
import type { Command } from "commander";
import { newEventId, planRollback, readArtifact, readModelLinks } from "../../registry/index.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { trackingFor } from "./models.ts";
import { commitChange, finishPendingChange, modelIdOfFile, runIdOf, type StageTag } from "./promote.ts";

function shaOf(dir: string, fileName: string | null): string | null {
  if (fileName === null) return null;
  try {
    return readArtifact(join(dir, fileName)).sha256;
  } catch {
    return null;
  }
}

export function registerRollback(program: Command, rt: Runtime): void {
  program
    .command("rollback")
    .description(
      "swap data/models/current and data/models/previous (the runbook's Model Artifact Missing fix)",
    )
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
current becomes the previous model and previous the old current, each link swapped atomically and the
pair journalled (a crash is finished by the next promote/rollback). When current points to a missing
artifact it is named and previous is cleared (there is nothing to go back to). MLflow runs are re-tagged
stage=production / stage=previous and the rollback is recorded in the registry_events table.
Then re-run the final snapshot: npx nfl-pred snapshot --season S --week W --final-only`,
    )
    .action(async (opts: CommonOptions) => {
      const cfg = configFor(rt, opts);
      const dir = cfg.paths.models_dir;
      const store = trackingFor(rt, cfg);
      await withDatabase(cfg, async (db) => {
        await finishPendingChange(rt, cfg, db, store);
        const links = readModelLinks(dir);
        if (links.current.dangling) {
          rt.out(`data/models/current points to a missing artifact (${links.current.target ?? "?"})`);
        }
        const plan = planRollback(links);
        const oldCurrent = links.current.file === null ? null : basename(links.current.file);
        const tags: StageTag[] = [];
        const newRun = runIdOf(dir, plan.current);
        if (newRun) tags.push({ runId: newRun, modelId: modelIdOfFile(plan.current)!, stage: "production" });
        const prevRun = runIdOf(dir, plan.previous);
        if (prevRun) tags.push({ runId: prevRun, modelId: modelIdOfFile(plan.previous)!, stage: "previous" });
        const replaced = modelIdOfFile(oldCurrent) ?? links.current.modelId;
        await commitChange(rt, cfg, db, store, plan, {
          event: {
            eventId: newEventId(),
            action: "rollback",
            modelId: modelIdOfFile(plan.current),
            modelSha256: shaOf(dir, plan.current),
            replacedModelId: replaced,
            forced: false,
            checks: null,
            note: links.current.dangling ? `current pointed to missing ${links.current.target ?? "?"}` : null,
          },
          createdAt: rt.now(),
          tags,
        });
        rt.out(
          `Rolled back: data/models/current → ${plan.current} (was ${oldCurrent ?? links.current.target ?? "(none)"})`,
        );
        rt.out(`data/models/previous → ${plan.previous ?? "(none)"}`);
        rt.out("Re-run the final snapshot: `npx nfl-pred snapshot --season S --week W --final-only`");
      });
    });
}
