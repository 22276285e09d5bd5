import { existsSync } from "node:fs";
import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import {
  planRetention,
  type RetentionDecision,
  readArtifact,
  readModelLinks,
  writeHygieneRecord,
} from "../../registry/index.ts";
import type { RunInfo } from "../../tracking/index.ts";
import { type CommonOptions, configFor, type Runtime } from "../runtime.ts";
import { formatTable } from "../table.ts";
import { formatUtc } from "../time.ts";
import { trackingFor } from "./models.ts";

interface HygieneOptions extends CommonOptions {
  readonly dryRun?: boolean;
  readonly deleteArtifacts?: boolean;
  readonly keepArtifacts?: boolean;
  readonly json?: boolean;
}

export function registerMlflowHygiene(program: Command, rt: Runtime): void {
  program
    .command("mlflow-hygiene")
    .description(
      "apply the MLflow retention policy (mlflow.hygiene.retention); a dry run unless --no-dry-run",
    )
    .option("--dry-run", "only print what would be deleted (the default)")
    .option("--no-dry-run", "delete the runs the policy does not keep (MLflow soft delete)")
    .option("--delete-artifacts", "also remove deleted runs' artifact folders now")
    .option("--keep-artifacts", "leave deleted runs' artifacts for `mlflow gc` (the default)")
    .option("--json", "print the decisions as JSON")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
Kept: the union of protected runs (those data/models/current and previous link to, always; runs tagged
stage=production/previous/candidate when protect_promoted), the newest keep_last_runs, the best
keep_top_runs by metric and goal, and runs younger than max_age_days; each experiment on its own.
Everything else is deleted: lifecycle_stage=deleted in meta.yaml, as \`mlflow runs delete\` does. Every run
(dry or not) is recorded in <data_dir>/ops/hygiene_last_run.json, which \`nfl-pred doctor\` checks.`,
    )
    .action(async (opts: HygieneOptions) => {
      if (opts.deleteArtifacts && opts.keepArtifacts) {
        throw new NflPredError("USAGE", "--delete-artifacts and --keep-artifacts exclude each other", {
          flag: "--delete-artifacts",
        });
      }
      const cfg = configFor(rt, opts);
      const dryRun = opts.dryRun !== false;
      const deleteArtifacts = Boolean(opts.deleteArtifacts);
      const policy = cfg.mlflow.hygiene.retention;
      const store = trackingFor(rt, cfg);
      const now = rt.now();
      const links = readModelLinks(cfg.paths.models_dir);
      // Runs linked by name too: a dangling link's model id is still its run's name.
      const linkedIds = new Map<string, string>();
      const linkedNames = new Map<string, string>();
      for (const link of [links.current, links.previous]) {
        if (link.modelId) linkedNames.set(link.modelId, link.name);
        if (link.file) {
          try {
            const runId = readArtifact(link.file).artifact.trackingRunId;
            if (runId) linkedIds.set(runId, link.name);
          } catch {
            // A corrupt linked artifact still protects its run by name.
          }
        }
      }
      const runs = existsSync(store.root) ? await store.listRuns() : [];
      const linked = new Map<string, string>();
      for (const r of runs) {
        const by = linkedIds.get(r.runId) ?? linkedNames.get(r.runName);
        if (by) linked.set(r.runId, by);
      }
      const byExperiment = new Map<string, RunInfo[]>();
      for (const r of runs)
        byExperiment.set(r.experimentId, [...(byExperiment.get(r.experimentId) ?? []), r]);
      const decisions: (RetentionDecision & { experimentId: string })[] = [];
      for (const [experimentId, list] of byExperiment) {
        for (const d of planRetention(list, policy, linked, now)) decisions.push({ ...d, experimentId });
      }
      const doomed = decisions.filter((d) => !d.keep);
      if (!dryRun) {
        for (const d of doomed) await store.deleteRun(d.runId, { deleteArtifacts });
      }
      const record = writeHygieneRecord(cfg.paths.data_dir, {
        ran_at: new Date(now).toISOString(),
        dry_run: dryRun,
        delete_artifacts: deleteArtifacts,
        experiment: [...byExperiment.keys()].join(","),
        runs: decisions.length,
        kept: decisions.length - doomed.length,
        deleted: dryRun ? 0 : doomed.length,
        deleted_run_ids: dryRun ? [] : doomed.map((d) => d.runId),
      });
      if (opts.json) {
        rt.out(
          JSON.stringify(
            {
              dry_run: dryRun,
              delete_artifacts: deleteArtifacts,
              policy,
              runs: decisions.map((d) => ({
                run_id: d.runId,
                run_name: d.runName,
                experiment_id: d.experimentId,
                started: new Date(d.startTime).toISOString(),
                action: d.keep ? "keep" : dryRun ? "would delete" : "deleted",
                protected: d.protected,
                reasons: d.reasons,
              })),
              record,
            },
            null,
            2,
          ),
        );
        return;
      }
      rt.out(
        `Retention: keep protected${policy.protect_promoted ? " (links and stage tags)" : " (links only)"}, newest ${policy.keep_last_runs}, best ${policy.keep_top_runs} by ${policy.metric} (${policy.goal}), younger than ${policy.max_age_days} days`,
      );
      if (decisions.length === 0) {
        rt.out(`No active runs in ${store.root}.`);
      } else {
        rt.out(
          formatTable(
            [...decisions]
              .sort((a, b) => Number(a.keep) - Number(b.keep) || b.startTime - a.startTime)
              .map((d) => ({
                run_id: d.runId,
                run_name: d.runName,
                started: formatUtc(d.startTime),
                action: d.keep ? (d.protected ? "protected" : "keep") : dryRun ? "would delete" : "deleted",
                why: d.reasons.join("; "),
              })),
          ),
        );
      }
      const protectedCount = decisions.filter((d) => d.protected).length;
      rt.out(
        dryRun
          ? `Dry run: would delete ${doomed.length} of ${decisions.length} runs (${protectedCount} protected). Apply with --no-dry-run${deleteArtifacts ? " --delete-artifacts" : ""}.`
          : `Deleted ${doomed.length} of ${decisions.length} runs (${protectedCount} protected)${deleteArtifacts ? ", artifacts removed" : "; artifacts left for `mlflow gc`"}.`,
      );
      rt.out(`Recorded in ${record}`);
    });
}
