import { mkdirSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { replaceLink, writeArtifact } from "../../src/registry/index.ts";
import { openDatabase, SCHEMA_VERSION } from "../../src/storage/index.ts";
import { stubArtifact } from "../helpers/artifacts.ts";
import { runCli } from "../helpers/cli.ts";
import { holdDatabase, releaseHolders } from "../helpers/lock.ts";
import { tempDir } from "../helpers/mirror.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix: string;
}

afterEach(releaseHolders);

describe("doctor: the runbook's Validation Checklist", () => {
  const cwd = tempDir("nflpred-doc-");
  const dbPath = join(cwd, "data", "nfl.duckdb");
  const models = join(cwd, "data", "models");
  const monitoring = join(cwd, "data", "reports", "monitoring", "season_2023", "week_08");
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd, env });
  const doctor = async (env: Record<string, string> = {}) => {
    const r = await cli(["doctor", "--json"], env);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    const by = (prefix: string) => out.checks.find((c) => c.name.startsWith(prefix))!;
    return { code: r.code, stderr: r.stderr, out, by };
  };

  beforeAll(async () => {
    const r = await cli(["ingest", "--seasons", "2023", "--datasets", "schedules,teams"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("on a fresh install every operational check fails, each with its fix, and the exit code is 1", async () => {
    const d = await doctor();
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/error: 5 of 8 doctor checks failed/);
    expect(d.by("config")).toMatchObject({ ok: true });
    expect(d.by("database")).toMatchObject({ ok: true });
    expect(d.by("current model")).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/nfl-pred promote --model-id/),
    });
    expect(d.by("backup")).toMatchObject({ ok: false, fix: expect.stringMatching(/nfl-pred backup/) });
    expect(d.by("monitoring")).toMatchObject({ ok: false, fix: expect.stringMatching(/nfl-pred monitor/) });
    expect(d.by("mlflow-hygiene")).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/mlflow-hygiene --dry-run/),
    });
    expect(d.by("final snapshot")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/no scheduled final/),
    });
    // 2023's results are all stored, and no later game has been played in this database.
    expect(d.by("results")).toMatchObject({
      ok: true,
      detail: "every game of the last 240 days that has ended has its score",
    });
  });

  it("judges the final snapshot of the latest slot by when it ran relative to its kickoff", async () => {
    // 2023 week 8 Monday night: kickoff 2023-10-31T00:15Z. A replay two hours after kickoff is late…
    let r = await cli([
      "snapshot",
      "--season",
      "2023",
      "--week",
      "8",
      "--at",
      "2023-10-31T00:15:00Z",
      "--final-only",
      "--now",
      "2023-10-31T02:15:00Z",
    ]);
    expect(r.code, r.stderr).toBe(0);
    let d = await doctor();
    expect(d.by("final snapshot")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/kickoff 2023-10-31T00:15:00Z: T-60m first ran 2\.0 h after kickoff/),
    });
    // …and week 9's Monday night (2023-11-07T01:15Z) run 50 minutes before kickoff is on time.
    r = await cli([
      "snapshot",
      "--season",
      "2023",
      "--week",
      "9",
      "--at",
      "2023-11-07T01:15:00Z",
      "--final-only",
      "--now",
      "2023-11-07T00:25:00Z",
    ]);
    expect(r.code, r.stderr).toBe(0);
    d = await doctor();
    expect(d.by("final snapshot")).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/T-60m ran 50 min before kickoff/),
    });
    // A rehearsal (before the stage's time, keyed by its own run time) does not count as the final stage.
    r = await cli([
      "snapshot",
      "--season",
      "2023",
      "--week",
      "10",
      "--at",
      "2023-11-14T01:15:00Z",
      "--final-only",
      "--now",
      "2023-11-13T12:00:00Z",
    ]);
    expect(r.stdout).toMatch(/rehearsal/);
    d = await doctor();
    expect(d.by("final snapshot").ok).toBe(true);
  });

  it("passes once there is a backup, fresh monitoring files, a hygiene run and a valid current model", async () => {
    expect((await cli(["backup"])).code).toBe(0);
    expect((await cli(["mlflow-hygiene"])).code).toBe(0);
    mkdirSync(monitoring, { recursive: true });
    writeFileSync(join(monitoring, "psi_summary_s2023_w8.csv"), "feature,psi\n");
    const a = stubArtifact("m_ok");
    writeArtifact(models, a);
    replaceLink(models, "current", "m_ok.model.json");
    const r = await cli(["doctor"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/8 of 8 checks passed/);
  });

  it("fails stale backups, monitoring and hygiene runs by their age", async () => {
    const backups = join(cwd, "backups");
    const name = readdirSync(backups).find((f) => f.endsWith(".duckdb"))!;
    renameSync(join(backups, name), join(backups, "nfl_20200101T000000Z.duckdb"));
    renameSync(join(backups, `${name}.sha256`), join(backups, "nfl_20200101T000000Z.duckdb.sha256"));
    const old = new Date(Date.now() - 3 * 86_400_000);
    utimesSync(join(monitoring, "psi_summary_s2023_w8.csv"), old, old);
    const recordPath = join(cwd, "data", "ops", "hygiene_last_run.json");
    const record = JSON.parse(readFileSync(recordPath, "utf8"));
    writeFileSync(
      recordPath,
      JSON.stringify({ ...record, ran_at: new Date(Date.now() - 8 * 86_400_000).toISOString() }),
    );
    const d = await doctor();
    expect(d.code).toBe(1);
    expect(d.by("backup")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/nfl_20200101T000000Z\.duckdb, checksum ok, taken 2020-01-01T00:00:00Z/),
    });
    expect(d.by("monitoring")).toMatchObject({ ok: false, detail: expect.stringMatching(/\(3 d 0 h ago\)/) });
    expect(d.by("mlflow-hygiene")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/\(8 d 0 h ago\)/),
    });
    expect((await cli(["backup"])).code).toBe(0);
    writeFileSync(join(monitoring, "psi_summary_s2023_w8.csv"), "feature,psi\n");
    expect((await cli(["mlflow-hygiene"])).code).toBe(0);
    expect((await doctor()).code).toBe(0);
  });

  it("fails when a game that has ended has no score stored, naming it and the ingest", async () => {
    // The schedule as a stale ingest leaves it: a game two days ago, its score not yet fetched.
    const id = "2023_22_SF_KC";
    const db = await openDatabase(dbPath);
    const [before] = await db.all<{ k: string; h: number; a: number }>(
      `SELECT CAST(kickoff_utc AS VARCHAR) AS k, home_score AS h, away_score AS a FROM schedules WHERE game_id = '${id}'`,
    );
    expect(before).toBeDefined();
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await db.run(
      `UPDATE schedules SET kickoff_utc = '${twoDaysAgo}'::TIMESTAMPTZ, home_score = NULL, away_score = NULL WHERE game_id = '${id}'`,
    );
    db.close();
    const d = await doctor();
    expect(d.code).toBe(1);
    expect(d.by("results")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(
        new RegExp(`^1 game kicked off on ${twoDaysAgo.slice(0, 10)} .*\\(${id}\\)$`),
      ),
      fix: "npx nfl-pred ingest --seasons 2023 --datasets schedules",
    });
    const restore = await openDatabase(dbPath);
    await restore.run(
      `UPDATE schedules SET kickoff_utc = '${before!.k}'::TIMESTAMPTZ, home_score = ${before!.h}, away_score = ${before!.a} WHERE game_id = '${id}'`,
    );
    restore.close();
    expect((await doctor()).code).toBe(0);
  });

  it("fails a corrupted current artifact, a locked or too-new database, and an invalid config", async () => {
    const file = join(models, "m_ok.model.json");
    const good = readFileSync(file);
    writeFileSync(file, Buffer.concat([good, Buffer.from(" ")]));
    let d = await doctor();
    expect(d.by("current model")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/does not match its sha256/),
      fix: expect.stringMatching(/rollback/),
    });
    writeFileSync(file, good);

    const holder = await holdDatabase(dbPath);
    d = await doctor();
    expect(d.by("database")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(new RegExp(`locked by process ${holder.pid}`)),
      fix: expect.stringMatching(/fuser/),
    });
    expect(d.by("final snapshot")).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/database check first/),
    });
    holder.kill("SIGTERM");
    await new Promise((r) => holder.once("exit", r));

    const db = await openDatabase(dbPath);
    await db.run("INSERT INTO schema_version VALUES (?, 'future', now())", [SCHEMA_VERSION + 5]);
    db.close();
    d = await doctor();
    expect(d.by("database")).toMatchObject({
      ok: false,
      detail: `schema version ${SCHEMA_VERSION + 5} is newer than this nfl-pred (${SCHEMA_VERSION})`,
      fix: expect.stringMatching(/upgrade nfl-pred, or restore a backup/),
    });

    d = await doctor({ NFL_PRED__TRAINING__SEED: "not-a-number" });
    expect(d.by("config")).toMatchObject({ ok: false, detail: expect.stringMatching(/training\.seed/) });
    expect(d.out.checks).toHaveLength(8);
  });
});
