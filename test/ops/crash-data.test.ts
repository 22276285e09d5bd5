import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";
import {
  expectDatabaseOpens,
  expectNoPartialFiles,
  isTempName,
  killDelays,
  query,
  runAndKill,
} from "./helpers.ts";

/**
 * SIGKILL at many points of ingest and build-features: after every kill the database opens and no partial
 * file is visible; re-running then gives exactly what an uninterrupted run gives.
 */
const KILLS = 5;

function rawFiles(cwd: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!isTempName(relative(cwd, p))) out.push(relative(cwd, p));
    }
  };
  walk(join(cwd, "data", "raw"));
  return out.sort();
}

async function ingestFingerprint(cwd: string) {
  return {
    tables: await query(
      cwd,
      `SELECT 'schedules' AS t, count(*) AS n, md5(string_agg(CAST(s AS VARCHAR), '|' ORDER BY s.game_id)) AS h FROM schedules s
       UNION ALL SELECT 'teams', count(*), md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY t.team_abbr)) FROM teams t
       ORDER BY t`,
    ),
    log: await query(
      cwd,
      "SELECT DISTINCT dataset, season, sha256, rows FROM ingest_log WHERE NOT skipped ORDER BY ALL",
    ),
    raw: rawFiles(cwd),
  };
}

async function featureFingerprint(cwd: string) {
  return query(
    cwd,
    `SELECT count(*) AS n, md5(string_agg(CAST(f AS VARCHAR), '|' ORDER BY f.game_id, f.team, f.snapshot_at)) AS h
     FROM (SELECT * EXCLUDE (built_at) FROM features) f`,
  );
}

describe("crash safety: ingest and build-features under SIGKILL", () => {
  it("ingest: every kill leaves a whole database and files; the re-run equals an uninterrupted run", async () => {
    const args = ["ingest", "--seasons", "2022-2023", "--datasets", "schedules,teams"];
    const clean = tempDir("nflpred-crash-ingest-ref-");
    const t0 = Date.now();
    const ref = await runCli(args, { cwd: clean });
    const took = Date.now() - t0;
    expect(ref.code, ref.stderr).toBe(0);
    const expected = await ingestFingerprint(clean);

    const cwd = tempDir("nflpred-crash-ingest-");
    let killed = 0;
    for (const delayMs of killDelays(KILLS, 300, took + 200, 11)) {
      const k = await runAndKill(args, { cwd, delayMs });
      if (k.killed) killed++;
      else expect(k.code, k.stderr).toBe(0);
      await expectDatabaseOpens(cwd);
      await expectNoPartialFiles(cwd);
    }
    expect(killed).toBeGreaterThan(0);
    const again = await runCli(args, { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(await ingestFingerprint(cwd)).toEqual(expected);
  }, 180_000);

  it("build-features: every kill leaves a whole database; the re-run equals an uninterrupted run", async () => {
    const cwd = tempDir("nflpred-crash-features-");
    const ingest = await runCli(["ingest", "--seasons", "2022-2023", "--datasets", "schedules,teams"], {
      cwd,
    });
    expect(ingest.code, ingest.stderr).toBe(0);
    const args = ["build-features", "--seasons", "2022-2023"];
    const t0 = Date.now();
    const ref = await runCli(args, { cwd });
    const took = Date.now() - t0;
    expect(ref.code, ref.stderr).toBe(0);
    const expected = await featureFingerprint(cwd);
    expect(Number(expected[0]?.n)).toBeGreaterThan(1000);
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"));
    await db.run("DELETE FROM features");
    db.close();

    let killed = 0;
    for (const delayMs of killDelays(KILLS, 300, took + 200, 23)) {
      const k = await runAndKill(args, { cwd, delayMs });
      if (k.killed) killed++;
      else expect(k.code, k.stderr).toBe(0);
      await expectDatabaseOpens(cwd);
      await expectNoPartialFiles(cwd);
      const n = Number((await featureFingerprint(cwd))[0]?.n);
      // The write is one transaction: all of the rows or none, never a part.
      expect([0, Number(expected[0]?.n)]).toContain(n);
    }
    expect(killed).toBeGreaterThan(0);
    const again = await runCli(args, { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(await featureFingerprint(cwd)).toEqual(expected);
  }, 180_000);
});
