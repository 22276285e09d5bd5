import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatSlope } from "../../src/cli/table.ts";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

/**
 * Promotion, candidates, rollback and the runbook's "Model Artifact Missing" procedure on real schedules:
 * two models trained on 2021–2022, scored on 2023.
 */
describe("model registry on real schedules", () => {
  const cwd = tempDir("nflpred-reg-");
  const models = join(cwd, "data", "models");
  const cli = (...args: string[]) => runCli(args, { cwd });
  let m1 = "";
  let m2 = "";

  /** An MLflow tag read straight from the file store (mlruns/<experiment>/<run>/tags/<key>). */
  const tagOf = (runId: string, key = "stage"): string | null => {
    for (const exp of readdirSync(join(cwd, "mlruns"))) {
      const path = join(cwd, "mlruns", exp, runId, "tags", key);
      if (existsSync(path)) return readFileSync(path, "utf8");
    }
    return null;
  };
  const artifactJson = (id: string) =>
    JSON.parse(readFileSync(join(models, `${id}.model.json`), "utf8")) as {
      trackingRunId: string;
      metrics: Record<string, number>;
      trainingWindow: { seasons: number[]; games: number };
    };
  const link = (name: string) =>
    existsSync(join(models, name)) || readdirSync(models).includes(name)
      ? readlinkSync(join(models, name))
      : null;
  const query = async (sql: string) => {
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
    try {
      return await db.all(sql);
    } finally {
      db.close();
    }
  };
  const modelsJson = async () => {
    const r = await cli("models", "--json");
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      models: {
        model_id: string;
        stage: string;
        sha256: string;
        holdout: { brier: number; reliability_slope: number; reliability_slope_se: number };
        training: { seasons: number[]; games: number };
      }[];
      notes: string[];
    };
  };

  beforeAll(async () => {
    for (const args of [
      ["ingest", "--seasons", "2021-2023", "--datasets", "schedules,teams"],
      ["build-features", "--seasons", "2021-2023"],
      ["train", "--seasons", "2021-2022"],
      ["train", "--seasons", "2022"],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    const ids = readdirSync(models)
      .filter((f) => f.endsWith(".model.json"))
      .map((f) => f.slice(0, -".model.json".length))
      .sort();
    expect(ids).toHaveLength(2);
    [m1, m2] = ids as [string, string];
  }, 120_000);

  it("lists every artifact with stage none, its training window, holdout metrics and a good checksum", async () => {
    const { models: rows } = await modelsJson();
    expect(rows.map((r) => r.model_id).sort()).toEqual([m1, m2]);
    for (const r of rows) {
      const a = artifactJson(r.model_id);
      expect(r).toMatchObject({ stage: "none", sha256: "ok" });
      expect(r.training.seasons).toEqual(a.trainingWindow.seasons);
      expect(r.holdout.brier).toBe(a.metrics.holdout_brier);
      expect(r.holdout.reliability_slope).toBe(a.metrics.holdout_reliability_slope);
      expect(r.holdout.reliability_slope_se).toBe(a.metrics.holdout_reliability_slope_se);
      expect(r.holdout.reliability_slope_se).toBeGreaterThan(0);
    }
    expect(rows.find((r) => r.model_id === m1)?.training.seasons).toEqual([2021, 2022]);
    // The table gives each holdout slope with its standard error, not to four false places.
    const table = await cli("models");
    const m1Row = rows.find((r) => r.model_id === m1)!;
    expect(table.stdout.split("\n").find((l) => l.startsWith(m1))).toContain(
      formatSlope(m1Row.holdout.reliability_slope, m1Row.holdout.reliability_slope_se),
    );
  });

  it("promote --candidate tags the run stage=candidate and `models` shows it", async () => {
    const r = await cli("promote", "--model-id", m2, "--candidate", "--force");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Candidate checks for/);
    expect(tagOf(artifactJson(m2).trackingRunId)).toBe("candidate");
    expect((await modelsJson()).models.find((m) => m.model_id === m2)?.stage).toBe("candidate");
    expect(link("current")).toBeNull();
  });

  it("the first promotion makes current and tags the run, recording the event", async () => {
    const r = await cli("promote", "--model-id", m1, "--force", "--eval-weeks", "2");
    expect(r.code, r.stderr).toBe(0);
    expect(link("current")).toBe(`${m1}.model.json`);
    expect(link("previous")).toBeNull();
    expect(tagOf(artifactJson(m1).trackingRunId)).toBe("production");
    expect(tagOf(artifactJson(m1).trackingRunId, "mlflow.note.content")).toMatch(/Promoted to production/);
    const events = await query(
      "SELECT action, model_id, replaced_model_id FROM registry_events ORDER BY created_at",
    );
    expect(events.map((e) => e.action)).toEqual(["candidate", "promote"]);
    expect(events[1]).toMatchObject({ model_id: m1, replaced_model_id: null });
  });

  it("scores candidate and production on the same games, with the Brier that predict's stored predictions give", async () => {
    const r = await cli("promote", "--model-id", m2, "--eval-weeks", "2", "--json");
    expect([0, 1]).toContain(r.code);
    const out = JSON.parse(r.stdout) as {
      allowed: boolean;
      evaluation: { games: number; weeks: string[]; out_of_sample: boolean };
      candidate: { brier: number; n: number };
      production: { brier: number; n: number };
      checks: { name: string; ok: boolean; inconclusive?: true }[];
    };
    expect(out.evaluation).toMatchObject({ weeks: ["2023-21", "2023-22"], out_of_sample: true });
    for (const id of [m1, m2]) {
      const p = await cli("predict", "--season", "2023", "--week", "21,22", "--model-id", id);
      expect(p.code, p.stderr).toBe(0);
    }
    const briers = await query(
      `SELECT p.model_id, count(*) AS n,
              avg(power(p.p_home_win - CASE WHEN s.home_score > s.away_score THEN 1 WHEN s.home_score < s.away_score THEN 0 ELSE 0.5 END, 2)) AS brier
       FROM predictions p JOIN schedules s USING (game_id) WHERE p.season = 2023 AND p.week IN (21, 22) GROUP BY p.model_id`,
    );
    const brierOf = (id: string) => Number(briers.find((b) => b.model_id === id)?.brier);
    expect(out.candidate.n).toBe(out.evaluation.games);
    expect(Number(briers[0]?.n)).toBe(out.evaluation.games);
    expect(out.candidate.brier).toBeCloseTo(brierOf(m2), 10);
    expect(out.production.brier).toBeCloseTo(brierOf(m1), 10);
    const brierCheck = out.checks.find((c) => c.name.startsWith("Brier"));
    expect(brierCheck?.ok).toBe(brierOf(m2) <= brierOf(m1));
    expect(out.allowed).toBe(out.checks.every((c) => c.ok));
    if (out.allowed) {
      expect(r.code).toBe(0);
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/refused: \d check\(s\) failed/);
      expect(r.stderr).toMatch(/--force/);
      // A miss inside the checks' standard errors asks for more games, not a better model.
      expect(r.stderr).toMatch(
        out.checks.every((c) => c.ok || c.inconclusive)
          ? /hint: the failed check is within its standard error: score more games/
          : /hint: improve the model/,
      );
      expect(link("current")).toBe(`${m1}.model.json`);
      const forced = await cli("promote", "--model-id", m2, "--eval-weeks", "2", "--force");
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toMatch(/FAIL \(forced\)/);
    }
    expect(link("current")).toBe(`${m2}.model.json`);
    expect(link("previous")).toBe(`${m1}.model.json`);
    expect(tagOf(artifactJson(m2).trackingRunId)).toBe("production");
    expect(tagOf(artifactJson(m1).trackingRunId)).toBe("previous");
    const again = await cli("promote", "--model-id", m2);
    expect(again.stdout).toMatch(/already production/);
  });

  it("rollback swaps current and previous, re-tags and records it", async () => {
    const r = await cli("rollback");
    expect(r.code, r.stderr).toBe(0);
    expect(link("current")).toBe(`${m1}.model.json`);
    expect(link("previous")).toBe(`${m2}.model.json`);
    expect(tagOf(artifactJson(m1).trackingRunId)).toBe("production");
    expect(tagOf(artifactJson(m2).trackingRunId)).toBe("previous");
    const last = await query(
      "SELECT action, model_id, replaced_model_id FROM registry_events ORDER BY created_at DESC LIMIT 1",
    );
    expect(last[0]).toMatchObject({ action: "rollback", model_id: m1, replaced_model_id: m2 });
    const stages = Object.fromEntries((await modelsJson()).models.map((m) => [m.model_id, m.stage]));
    expect(stages).toEqual({ [m1]: "production", [m2]: "previous" });
  });

  it("a corrupted or truncated current artifact is a clear error with the fix", async () => {
    const file = join(models, `${m1}.model.json`);
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[100] = flipped[100]! ^ 0x01;
    writeFileSync(file, flipped);
    let r = await cli("predict", "--season", "2023", "--week", "5");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`model artifact .*${m1}\\.model\\.json does not match its sha256`));
    expect(r.stderr).toMatch(/hint: .*nfl-pred rollback/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await modelsJson()).models.find((m) => m.model_id === m1)?.sha256).toBe("MISMATCH");

    const truncated = good.subarray(0, Math.floor(good.length / 2));
    writeFileSync(file, truncated);
    const { createHash } = await import("node:crypto");
    writeFileSync(
      `${file}.sha256`,
      `${createHash("sha256").update(truncated).digest("hex")}  ${m1}.model.json\n`,
    );
    r = await cli("predict", "--season", "2023", "--week", "5");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid JSON/);
    expect(r.stderr).toMatch(/hint: .*truncated/);
    writeFileSync(file, good);
    writeFileSync(`${file}.sha256`, `${createHash("sha256").update(good).digest("hex")}  ${m1}.model.json\n`);
    expect((await cli("predict", "--season", "2023", "--week", "5")).code).toBe(0);
  });

  it("Model Artifact Missing: a dangling current is named, rollback fixes it, the final snapshot re-runs", async () => {
    rmSync(join(models, `${m1}.model.json`));
    let r = await cli("predict", "--season", "2023", "--week", "6");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data/models/current points to a missing artifact (${m1}.model.json)`);
    expect(r.stderr).toMatch(/hint: roll back with `npx nfl-pred rollback`/);
    // snapshot refuses too: a broken current must never turn T-60m into a silent feature-only run.
    r = await cli("snapshot", "--season", "2023", "--week", "6", "--final-only");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data/models/current points to a missing artifact (${m1}.model.json)`);
    const doctor = await cli("doctor", "--json");
    const check = (
      JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string; fix: string }[] }
    ).checks.find((c) => c.name.startsWith("current model"));
    expect(check).toMatchObject({ ok: false, fix: "npx nfl-pred rollback" });
    expect(check?.detail).toContain(`${m1}.model.json`);
    expect((await modelsJson()).notes.join("\n")).toContain(
      `current points to a missing artifact (${m1}.model.json)`,
    );

    r = await cli("rollback");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`current points to a missing artifact (${m1}.model.json)`);
    expect(link("current")).toBe(`${m2}.model.json`);
    expect(link("previous")).toBeNull();
    r = await cli("snapshot", "--season", "2023", "--week", "6", "--final-only");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Using model ${m2} (current`);
    r = await cli("rollback");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no previous model to roll back to/);
  });

  it("an interrupted promotion is reported and finished by promote --resume", async () => {
    writeFileSync(
      join(models, ".registry-intent.json"),
      JSON.stringify({ plan: { current: `${m2}.model.json`, previous: null }, meta: {} }),
    );
    const doctor = await cli("doctor", "--json");
    expect(doctor.stdout).toMatch(/interrupted promotion or rollback is pending/);
    const r = await cli("promote", "--resume");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Finished an interrupted registry change/);
    expect(existsSync(join(models, ".registry-intent.json"))).toBe(false);
    expect(link("current")).toBe(`${m2}.model.json`);
  });
});
