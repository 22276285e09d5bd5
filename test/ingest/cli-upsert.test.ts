import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { MIRROR_DIR, tempDir } from "../helpers/mirror.ts";
import { type NflverseServer, startNflverseServer, stopNflverseServer } from "../helpers/nflverse-server.ts";

const GAMES = "/schedules/games.csv";

/** Counts straight from games.csv, independent of the ingest code. */
function gamesInSeason(season: number): number {
  const lines = readFileSync(join(MIRROR_DIR, "schedules/games.csv"), "utf8").split("\n");
  return lines.filter((l) => l.split(",")[1] === String(season)).length;
}

let srv: NflverseServer;
let cwd: string;
const ingest = (...args: string[]) => runCli(["ingest", ...args], { cwd, env: { NFLVERSE_MIRROR: srv.url } });
const sqlCsv = async (query: string) => {
  const r = await runCli(["sql", query, "--format", "csv"], { cwd });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
};

/** Rows, distinct game ids and the NE–JAX home score per season, read in-process after the CLI exits. */
async function counts() {
  const db = await openDatabase(join(cwd, "data/nfl.duckdb"), { readOnly: true });
  try {
    return await db.all(
      `SELECT season, count(*) AS n, count(DISTINCT game_id) AS ids,
         max(home_score) FILTER (WHERE game_id = '2024_07_NE_JAX') AS score
       FROM schedules GROUP BY season ORDER BY season`,
    );
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  srv = await startNflverseServer(MIRROR_DIR);
  cwd = tempDir("nflpred-upsert-");
});
afterAll(async () => {
  await stopNflverseServer(srv);
});

describe("ingest schedules through the CLI (sequential: each step builds on the last)", () => {
  it("loads 2024 and `sql` prints 285", async () => {
    expect(gamesInSeason(2024)).toBe(285);
    const r = await ingest("--seasons", "2024", "--datasets", "schedules");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Ingested 1 file\(s\), 0 unchanged, 0 missing/);
    expect(await sqlCsv("SELECT COUNT(*) AS n FROM schedules WHERE season=2024")).toBe("n\n285\n");
    // Parquet is preferred, then csv.gz, then csv: the mirror only has the csv.
    expect(srv.requests.map((q) => q.path)).toEqual([
      "/schedules/games.parquet",
      "/schedules/games.csv.gz",
      GAMES,
    ]);
  });

  it("ingesting 2025 keeps 2024", async () => {
    const r = await ingest("--seasons", "2025", "--datasets", "schedules");
    expect(r.code).toBe(0);
    expect(gamesInSeason(2025)).toBe(285);
    expect(await counts()).toEqual([
      { season: 2024, n: 285, ids: 285, score: 32 },
      { season: 2025, n: 285, ids: 285, score: null },
    ]);
  });

  it("re-ingesting a changed 2024 replaces its rows without duplicates and keeps 2025", async () => {
    const original = readFileSync(join(MIRROR_DIR, "schedules/games.csv"), "utf8");
    const line = original.split("\n").find((l) => l.startsWith("2024_07_NE_JAX,"));
    expect(line).toContain(",JAX,32,");
    srv.setBody(GAMES, original.replace(line!, line!.replace(",JAX,32,", ",JAX,33,")));
    const r = await ingest("--seasons", "2024", "--datasets", "schedules");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Ingested 1 file\(s\), 0 unchanged/);
    expect(await counts()).toEqual([
      { season: 2024, n: 285, ids: 285, score: 33 },
      { season: 2025, n: 285, ids: 285, score: null },
    ]);
  });

  it("a second identical run skips the unchanged file after a conditional request", async () => {
    srv.requests.length = 0;
    const r = await ingest("--seasons", "2024", "--datasets", "schedules");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Ingested 0 file\(s\), 1 unchanged, 0 missing/);
    const games = srv.requestsFor(GAMES);
    expect(games).toHaveLength(1);
    expect(games[0]?.headers["if-none-match"]).toMatch(/^".+"$/);
    expect(games[0]?.status).toBe(304);
    expect(await counts()).toEqual([
      { season: 2024, n: 285, ids: 285, score: 33 },
      { season: 2025, n: 285, ids: 285, score: null },
    ]);
    const db = await openDatabase(join(cwd, "data/nfl.duckdb"), { readOnly: true });
    try {
      // 2024 was loaded twice, 2025 once; the skipped run logged nothing.
      expect(
        await db.all(
          "SELECT season, count(*) AS n FROM ingest_log WHERE dataset='schedules' GROUP BY season ORDER BY season",
        ),
      ).toEqual([
        { season: 2024, n: 2 },
        { season: 2025, n: 1 },
      ]);
    } finally {
      db.close();
    }
  });
});
