import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, constants as zlibConstants } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, SOURCE_COLUMNS } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { MIRROR_DIR, tempDir } from "../helpers/mirror.ts";
import { type NflverseServer, startNflverseServer, stopNflverseServer } from "../helpers/nflverse-server.ts";

let srv: NflverseServer;
let cwd: string;

beforeAll(async () => {
  srv = await startNflverseServer(MIRROR_DIR);
  cwd = tempDir("nflpred-layouts-");
});
afterAll(async () => {
  await stopNflverseServer(srv);
});

const ingest = (...args: string[]) => runCli(["ingest", ...args], { cwd, env: { NFLVERSE_MIRROR: srv.url } });

async function query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
  const db = await openDatabase(join(cwd, "data/nfl.duckdb"), { readOnly: true });
  try {
    return await db.all<T>(sql);
  } finally {
    db.close();
  }
}

/** Header and record count of a mirror CSV, read without the ingest code (quoted fields may hold newlines). */
function csvShape(rel: string): { header: string[]; rows: number; crlf: boolean } {
  const text = readFileSync(join(MIRROR_DIR, rel), "utf8");
  let records = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === "\n" && !quoted) records++;
  }
  if (!text.endsWith("\n")) records++;
  const header = text.slice(0, text.search(/\r?\n/)).split(",");
  return { header, rows: records - 1, crlf: text.includes("\r\n") };
}

describe("real files vary", () => {
  it("loads injuries in both layouts (2022 with date_modified, 2025 CRLF without) and notes 2005", async () => {
    const old = csvShape("injuries/injuries_2022.csv");
    const cur = csvShape("injuries/injuries_2025.csv");
    expect(old.header).toContain("date_modified");
    expect(cur.header).not.toContain("date_modified");
    expect(cur.crlf).toBe(true);

    const r = await ingest("--seasons", "2005", "2022", "2025", "--datasets", "injuries");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skipped: injuries 2005 \(nflverse publishes injuries from 2009\)/);
    expect(srv.requests.some((q) => q.path.includes("injuries_2005"))).toBe(false);

    const rows = await query(
      `SELECT season, count(*) AS n, count(date_modified) AS dated,
         count(*) FILTER (WHERE practice_status LIKE '%\r%' OR team LIKE '%\r%') AS cr
       FROM injuries GROUP BY season ORDER BY season`,
    );
    expect(rows).toEqual([
      { season: 2022, n: old.rows, dated: expect.any(Number), cr: 0 },
      { season: 2025, n: cur.rows, dated: 0, cr: 0 },
    ]);
    expect((rows[0] as { dated: number }).dated).toBeGreaterThan(0);
    const log = await query<{ season: number; missing_columns: string | null }>(
      "SELECT season, missing_columns FROM ingest_log WHERE dataset = 'injuries' ORDER BY season",
    );
    expect(log[1]?.missing_columns?.split(",")).toContain("date_modified");
    expect(log[0]?.missing_columns ?? "").not.toContain("date_modified");
  });

  it("loads pbp 2024 (52 columns) and 2025 (70) and records the absent optional columns", async () => {
    const r = await ingest("--seasons", "2024", "2025", "--datasets", "pbp");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/note: pbp 2024 lacks optional columns/);
    // The parquet files are preferred over the csv.gz copies.
    expect(srv.requests.filter((q) => q.path.startsWith("/pbp/")).map((q) => q.path)).toEqual([
      "/pbp/play_by_play_2024.parquet",
      "/pbp/play_by_play_2025.parquet",
    ]);
    const counts = await query("SELECT season, count(*) AS n FROM pbp GROUP BY season ORDER BY season");
    expect(counts).toEqual([
      { season: 2024, n: 49_492 },
      { season: 2025, n: 48_771 },
    ]);
    const log = await query<{ season: number; missing_columns: string }>(
      "SELECT season, missing_columns FROM ingest_log WHERE dataset = 'pbp' ORDER BY season",
    );
    const missing = new Map(log.map((l) => [l.season, new Set(l.missing_columns.split(","))]));
    const known = new Set(SOURCE_COLUMNS.pbp.map((c) => c.name));
    for (const season of [2024, 2025]) {
      const [header] = csvHeaderOfGz(season);
      const expected = [...known].filter((c) => !header.includes(c));
      expect([...(missing.get(season) ?? [])].sort()).toEqual(expected.sort());
    }
    expect(missing.get(2025)!.size).toBeLessThan(missing.get(2024)!.size);
    expect(missing.get(2024)).toContain("qb_dropback");
  });
});

/** The column names of the mirror's pbp csv.gz (same columns as the parquet), via node's own gunzip. */
function csvHeaderOfGz(season: number): [string[]] {
  const head = readFileSync(join(MIRROR_DIR, `pbp/play_by_play_${season}.csv.gz`)).subarray(0, 65_536);
  const text = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString("utf8");
  return [text.split("\n")[0]!.split(",")];
}
