import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { MIRROR_DIR, tempDir } from "../helpers/mirror.ts";
import { type NflverseServer, startNflverseServer, stopNflverseServer } from "../helpers/nflverse-server.ts";

const GAMES = "/schedules/games.csv";
const ROSTERS = "/weekly_rosters/roster_weekly_2024.csv.gz";
const gamesText = readFileSync(join(MIRROR_DIR, "schedules/games.csv"), "utf8");
const rostersGz = readFileSync(join(MIRROR_DIR, "weekly_rosters/roster_weekly_2024.csv.gz"));

/** games.csv with the 5th field (`gameday`) cut from every line; the first four fields are never quoted. */
function withoutGameday(text: string): string {
  const out = text
    .split("\n")
    .map((l) => (l === "" ? l : l.replace(/^((?:[^,]*,){4})[^,]*,/, "$1")))
    .join("\n");
  expect(out.split("\n")[0]).toBe(text.split("\n")[0]?.replace("gameday,", ""));
  return out;
}

/** games.csv with `week` of one 2024 game replaced. */
function withWeek(value: string): string {
  const line = gamesText.split("\n").find((l) => l.startsWith("2024_05_"))!;
  const bad = line.replace(/^(2024_05_[A-Z]+_[A-Z]+,2024,REG,)5,/, `$1${value},`);
  expect(bad).not.toBe(line);
  return gamesText.replace(line, bad);
}

let srv: NflverseServer;
let cwd: string;
let before: { state: unknown; raw: Record<string, string> };

/** Table counts, the ingest log and the raw Parquet copies: everything a failed ingest must leave alone. */
async function snapshot() {
  const db = await openDatabase(join(cwd, "data/nfl.duckdb"), { readOnly: true });
  try {
    const state = await db.all(`
      SELECT 'schedules' AS t, count(*) AS n, count(DISTINCT game_id) AS k FROM schedules
      UNION ALL SELECT 'weekly_rosters', count(*), count(DISTINCT gsis_id) FROM weekly_rosters
      UNION ALL SELECT 'ingest_log', count(*), count(DISTINCT sha256) FROM ingest_log ORDER BY t`);
    const raw: Record<string, string> = {};
    for (const dir of ["schedules", "weekly_rosters"]) {
      for (const f of readdirSync(join(cwd, "data/raw", dir))) {
        raw[`${dir}/${f}`] = createHash("sha256")
          .update(readFileSync(join(cwd, "data/raw", dir, f)))
          .digest("hex");
      }
    }
    return { state, raw };
  } finally {
    db.close();
  }
}

const ingest = (datasets: string) =>
  runCli(["ingest", "--seasons", "2024", "--datasets", datasets], {
    cwd,
    env: { NFLVERSE_MIRROR: srv.url },
  });

beforeAll(async () => {
  srv = await startNflverseServer(MIRROR_DIR);
  cwd = tempDir("nflpred-bad-");
  const good = await ingest("schedules,weekly_rosters");
  expect(good.stderr).toBe("");
  expect(good.code).toBe(0);
  before = await snapshot();
  expect(before.state).toEqual([
    { t: "ingest_log", n: 2, k: 2 },
    { t: "schedules", n: 285, k: 285 },
    { t: "weekly_rosters", n: 46_579, k: expect.any(Number) },
  ]);
});

afterAll(async () => {
  await stopNflverseServer(srv);
});

interface BadCase {
  readonly name: string;
  readonly dataset: string;
  readonly path: string;
  readonly arrange: () => void;
  readonly message: RegExp;
  readonly column?: string;
}

const cases: BadCase[] = [
  {
    name: "an HTML page instead of CSV",
    dataset: "schedules",
    path: GAMES,
    arrange: () => srv.setFault(GAMES, { kind: "html" }),
    message: /HTML page/,
  },
  {
    name: "a truncated gzip",
    dataset: "weekly_rosters",
    path: ROSTERS,
    arrange: () => srv.setBody(ROSTERS, rostersGz.subarray(0, Math.floor(rostersGz.length / 2))),
    message: /truncated or corrupt gzip/,
  },
  {
    name: "an empty file",
    dataset: "schedules",
    path: GAMES,
    arrange: () => srv.setBody(GAMES, ""),
    message: /empty file/,
  },
  {
    name: "a CSV without a required column",
    dataset: "schedules",
    path: GAMES,
    arrange: () => srv.setBody(GAMES, withoutGameday(gamesText)),
    message: /missing required column\(s\) gameday/,
    column: "gameday",
  },
  {
    name: "a wrong type (week 'abc')",
    dataset: "schedules",
    path: GAMES,
    arrange: () => srv.setBody(GAMES, withWeek("abc")),
    message: /column week expects INTEGER, found 'abc'/,
    column: "week",
  },
];

describe("a file that breaks its contract stores nothing (exit 2)", () => {
  for (const c of cases) {
    it(`rejects ${c.name}, naming the dataset, file${c.column ? " and column" : ""}`, async () => {
      srv.reset();
      c.arrange();
      const r = await ingest(c.dataset);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).toContain(c.dataset);
      expect(r.stderr).toContain(srv.url + c.path);
      expect(r.stderr).toMatch(c.message);
      if (c.column) expect(r.stderr).toContain(c.column);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(srv.requestsFor(c.path).length).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
      expect(existsSync(join(cwd, "data/raw/.tmp"))).toBe(false);
    });
  }
});
