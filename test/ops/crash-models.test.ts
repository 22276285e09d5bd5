import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listBackups, readIntent, readModelLinks, verifyBackup } from "../../src/registry/index.ts";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";
import { expectDatabaseOpens, expectNoPartialFiles, killDelays, query, runAndKill } from "./helpers.ts";

/**
 * SIGKILL at many points of train, snapshot, backup and promote: after every kill the database opens, no
 * partial file is visible, and re-running gives what an uninterrupted run gives.
 */
const KILLS = 5;

describe("crash safety: train, snapshot, backup and promote under SIGKILL", () => {
  const cwd = tempDir("nflpred-crash-models-");
  const models = join(cwd, "data", "models");
  const cli = (...args: string[]) => runCli(args, { cwd });
  const artifacts = () =>
    readdirSync(models)
      .filter((f) => f.endsWith(".model.json"))
      .sort();
  /** An artifact without what differs between two identical trainings (id, time, run). */
  const content = (file: string) => {
    const {
      modelId: _m,
      createdAt: _c,
      trackingRunId: _t,
      codeVersion: _v,
      ...rest
    } = JSON.parse(readFileSync(join(models, file), "utf8")) as Record<string, unknown>;
    return rest;
  };
  let trainMs = 0;
  let first = "";

  beforeAll(async () => {
    for (const args of [
      ["ingest", "--seasons", "2022-2023", "--datasets", "schedules,teams"],
      ["build-features", "--seasons", "2022-2023"],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    const t0 = Date.now();
    const r = await cli("train", "--seasons", "2022");
    trainMs = Date.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    first = artifacts()[0]!;
  }, 120_000);

  it("train: a killed training leaves no partial artifact; the re-run trains the same model", async () => {
    let killed = 0;
    for (const delayMs of killDelays(KILLS, 400, trainMs + 200, 37)) {
      const k = await runAndKill(["train", "--seasons", "2022"], { cwd, delayMs });
      if (k.killed) killed++;
      await expectDatabaseOpens(cwd);
      await expectNoPartialFiles(cwd);
    }
    expect(killed).toBeGreaterThan(0);
    const before = new Set(artifacts());
    const r = await cli("train", "--seasons", "2022");
    expect(r.code, r.stderr).toBe(0);
    const made = artifacts().filter((f) => !before.has(f));
    expect(made).toHaveLength(1);
    expect(content(made[0]!)).toEqual(content(first));
    // Every artifact a killed run left is whole and the same model too.
    for (const f of artifacts()) expect(content(f)).toEqual(content(first));
  }, 180_000);

  it("snapshot: a killed ladder leaves the database whole; the re-run stores what an uninterrupted run stores", async () => {
    const promote = await cli("promote", "--model-id", first.replace(".model.json", ""), "--force");
    expect(promote.code, promote.stderr).toBe(0);
    const args = [
      "snapshot",
      "--season",
      "2023",
      "--week",
      "7",
      "--at",
      "2023-10-22T17:00:00Z",
      "--full-timeline",
    ];
    const fingerprint = async () => ({
      predictions: await query(
        cwd,
        "SELECT game_id, model_id, snapshot_at, stage, p_home_win, pick, tier FROM predictions WHERE season = 2023 AND week = 7 ORDER BY ALL",
      ),
      features: await query(
        cwd,
        `SELECT count(*) AS n, md5(string_agg(CAST(f AS VARCHAR), '|' ORDER BY f.game_id, f.team, f.snapshot_at)) AS h
           FROM (SELECT * EXCLUDE (built_at) FROM features WHERE season = 2023 AND week = 7) f`,
      ),
      audit: await query(
        cwd,
        "SELECT DISTINCT stage, snapshot_at, input_hash, input_rows, output_rows FROM audit WHERE season = 2023 AND week = 7 ORDER BY ALL",
      ),
    });
    const reset = async () => {
      const db = await openDatabase(join(cwd, "data", "nfl.duckdb"));
      await db.run("DELETE FROM predictions WHERE season = 2023 AND week = 7");
      await db.run("DELETE FROM audit WHERE season = 2023 AND week = 7");
      // The ladder's earlier stages; the T-60m rows are build-features' own and the stage rewrites them as they are.
      await db.run("DELETE FROM features WHERE season = 2023 AND week = 7 AND stage <> 'T-60m'");
      db.close();
    };
    const t0 = Date.now();
    const ref = await cli(...args);
    const took = Date.now() - t0;
    expect(ref.code, ref.stderr).toBe(0);
    const expected = await fingerprint();
    expect(expected.predictions.length).toBeGreaterThan(0);
    await reset();
    let killed = 0;
    for (const delayMs of killDelays(KILLS, 400, took + 200, 41)) {
      const k = await runAndKill(args, { cwd, delayMs });
      if (k.killed) killed++;
      await expectDatabaseOpens(cwd);
      await expectNoPartialFiles(cwd);
    }
    expect(killed).toBeGreaterThan(0);
    const again = await cli(...args);
    expect(again.code, again.stderr).toBe(0);
    expect(await fingerprint()).toEqual(expected);
  }, 180_000);

  it("backup: a killed backup is never visible as a backup; the next one sweeps its leftovers", async () => {
    const t0 = Date.now();
    const ref = await cli("backup");
    const took = Date.now() - t0;
    expect(ref.code, ref.stderr).toBe(0);
    let killed = 0;
    for (const delayMs of killDelays(KILLS, 400, took + 200, 53)) {
      const k = await runAndKill(["backup"], { cwd, delayMs });
      if (k.killed) killed++;
      await expectDatabaseOpens(cwd);
      await expectNoPartialFiles(cwd);
      for (const b of listBackups(join(cwd, "backups")))
        await expect(verifyBackup(b.path)).resolves.toBeTruthy();
    }
    expect(killed).toBeGreaterThan(0);
    const r = await cli("backup");
    expect(r.code, r.stderr).toBe(0);
    const left = readdirSync(join(cwd, "backups")).filter((f) => f.includes(".tmp-"));
    expect(left).toEqual([]);
    for (const f of readdirSync(join(cwd, "backups")).filter((x) => x.endsWith(".sha256"))) {
      expect(existsSync(join(cwd, "backups", f.slice(0, -".sha256".length))), `orphan ${f}`).toBe(true);
    }
    const newest = listBackups(join(cwd, "backups"))[0]!;
    const counts = async (path: string) => {
      const db = await openDatabase(path, { readOnly: true });
      try {
        return await db.all(
          "SELECT (SELECT count(*) FROM schedules) AS s, (SELECT count(*) FROM features) AS f, (SELECT count(*) FROM predictions) AS p",
        );
      } finally {
        db.close();
      }
    };
    expect(await counts(newest.path)).toEqual(await counts(join(cwd, "data", "nfl.duckdb")));
  }, 180_000);

  it("promote: the links always resolve to one of the two models, and the change completes exactly once", async () => {
    const before = new Set(artifacts());
    const r0 = await cli("train", "--seasons", "2022-2023");
    expect(r0.code, r0.stderr).toBe(0);
    const current = readlinkSync(join(models, "current"));
    const next = artifacts().find((f) => !before.has(f))!;
    const id = next.replace(".model.json", "");
    const args = ["promote", "--model-id", id, "--force"];
    let killed = 0;
    for (const delayMs of killDelays(4, 400, 2600, 67)) {
      const k = await runAndKill(args, { cwd, delayMs });
      if (k.killed) killed++;
      const links = readModelLinks(models);
      expect(links.current.dangling).toBe(false);
      expect([current, next]).toContain(readlinkSync(join(models, "current")));
      const pending = readIntent(models);
      if (pending) expect(pending.plan).toEqual({ current: next, previous: current });
      await expectNoPartialFiles(cwd);
      if (!k.killed) break;
    }
    expect(killed).toBeGreaterThan(0);
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(join(models, "current"))).toBe(next);
    expect(readlinkSync(join(models, "previous"))).toBe(current);
    expect(readIntent(models)).toBeNull();
    const events = await query(
      cwd,
      `SELECT count(*) AS n FROM registry_events WHERE action = 'promote' AND model_id = '${id}'`,
    );
    expect(Number(events[0]?.n)).toBe(1);
  }, 180_000);
});
