import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { replaceLink, writeArtifact } from "../../src/registry/index.ts";
import { createTrackingStore } from "../../src/tracking/index.ts";
import { stubArtifact } from "../helpers/artifacts.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

const DAY = 86_400_000;

/** Retention small enough to see every rule: newest 2, best 1 by holdout_brier, younger than 30 days. */
const POLICY_ENV = {
  NFL_PRED__MLFLOW__HYGIENE__RETENTION__KEEP_LAST_RUNS: "2",
  NFL_PRED__MLFLOW__HYGIENE__RETENTION__KEEP_TOP_RUNS: "1",
  NFL_PRED__MLFLOW__HYGIENE__RETENTION__MAX_AGE_DAYS: "30",
};

describe("mlflow-hygiene", () => {
  const cwd = tempDir("nflpred-hyg-");
  const ids: Record<string, string> = {};
  const dirs: Record<string, string> = {};
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { cwd, env: { ...POLICY_ENV, ...env } });
  /** lifecycle_stage straight from the run's meta.yaml. */
  const lifecycle = (name: string) =>
    (parse(readFileSync(join(dirs[name]!, "..", "meta.yaml"), "utf8")) as { lifecycle_stage: string })
      .lifecycle_stage;

  beforeAll(async () => {
    const now = Date.now();
    // name, age in days, holdout Brier, stage tag
    const plan: [string, number, number | null, string | null][] = [
      ["linked", 100, 0.3, null],
      ["candidate", 90, 0.31, "candidate"],
      ["best", 80, 0.2, null],
      ["plain", 70, 0.25, null],
      ["nometric", 60, null, null],
      ["young", 10, 0.4, null],
      ["new2", 2, 0.4, null],
      ["new1", 1, 0.4, null],
    ];
    for (const [name, age, brier, stage] of plan) {
      const store = createTrackingStore({ cwd, now: () => now - age * DAY });
      const run = await store.startRun(
        await store.getOrCreateExperiment("nfl-pred"),
        `model_${name}`,
        stage ? { stage } : {},
      );
      if (brier !== null) await run.logMetric("holdout_brier", brier);
      await run.logText("x", "model.json");
      await run.end("FINISHED");
      ids[name] = run.runId;
      dirs[name] = run.artifactDir;
    }
    const models = join(cwd, "data", "models");
    writeArtifact(models, stubArtifact("model_linked", ids.linked!));
    replaceLink(models, "current", "model_linked.model.json");
  });

  it("a dry run deletes nothing, lists what it would delete and what it protects, and records the run", async () => {
    const r = await cli(["mlflow-hygiene"]);
    expect(r.code, r.stderr).toBe(0);
    for (const name of Object.keys(ids)) expect(lifecycle(name)).toBe("active");
    const lines = r.stdout.split("\n");
    const line = (name: string) => lines.find((l) => l.includes(ids[name]!)) ?? "";
    expect(line("plain")).toMatch(/would delete/);
    expect(line("nometric")).toMatch(/would delete/);
    expect(line("linked")).toMatch(/protected\s+linked by data\/models\/current/);
    expect(line("candidate")).toMatch(/protected\s+stage=candidate/);
    expect(line("best")).toMatch(/keep\s+best 1 by holdout_brier/);
    expect(line("young")).toMatch(/younger than 30 days/);
    expect(r.stdout).toMatch(/Dry run: would delete 2 of 8 runs/);
    const record = JSON.parse(readFileSync(join(cwd, "data", "ops", "hygiene_last_run.json"), "utf8"));
    expect(record).toMatchObject({ dry_run: true, runs: 8, kept: 6, deleted: 0 });
  });

  it("--no-dry-run soft-deletes exactly the runs outside the union and keeps their artifacts", async () => {
    const r = await cli(["mlflow-hygiene", "--no-dry-run", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const deleted = Object.keys(ids)
      .filter((n) => lifecycle(n) === "deleted")
      .sort();
    expect(deleted).toEqual(["nometric", "plain"]);
    expect(existsSync(dirs.plain!)).toBe(true);
    const out = JSON.parse(r.stdout) as { runs: { run_id: string; action: string }[] };
    expect(
      out.runs
        .filter((x) => x.action === "deleted")
        .map((x) => x.run_id)
        .sort(),
    ).toEqual([ids.nometric, ids.plain].sort());
  });

  it("never deletes the linked model's run, even with every count at zero and protect_promoted off", async () => {
    const r = await cli(["mlflow-hygiene", "--no-dry-run", "--delete-artifacts"], {
      NFL_PRED__MLFLOW__HYGIENE__RETENTION__KEEP_LAST_RUNS: "0",
      NFL_PRED__MLFLOW__HYGIENE__RETENTION__KEEP_TOP_RUNS: "0",
      NFL_PRED__MLFLOW__HYGIENE__RETENTION__MAX_AGE_DAYS: "5",
      NFL_PRED__MLFLOW__HYGIENE__RETENTION__PROTECT_PROMOTED: "false",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(lifecycle("linked")).toBe("active");
    expect(existsSync(dirs.linked!)).toBe(true);
    for (const name of ["candidate", "best", "young"]) {
      expect(lifecycle(name)).toBe("deleted");
      expect(existsSync(dirs[name]!)).toBe(false);
    }
    expect(lifecycle("new1")).toBe("active");
    expect(r.stdout).toMatch(/artifacts removed/);
  });

  it("rejects contradictory flags", async () => {
    const r = await cli(["mlflow-hygiene", "--delete-artifacts", "--keep-artifacts"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exclude each other/);
  });
});
