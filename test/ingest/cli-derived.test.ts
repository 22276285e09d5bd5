import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { MIRROR_DIR, tempDir } from "../helpers/mirror.ts";
import { type NflverseServer, startNflverseServer, stopNflverseServer } from "../helpers/nflverse-server.ts";

const SEASONS = [1999, 2000, 2006, 2007, 2015, 2023, 2024];

/** games.csv parsed naively: the columns used here all come before the first quoted field. */
const csvRows = (() => {
  const [header, ...lines] = readFileSync(join(MIRROR_DIR, "schedules/games.csv"), "utf8")
    .trimEnd()
    .split("\n");
  const cols = header!.split(",");
  return lines.map((l) => {
    const f = l.split(",");
    return Object.fromEntries(cols.slice(0, 12).map((c, i) => [c, f[i] ?? ""])) as Record<string, string>;
  });
})();

const EASTERN = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/**
 * The UTC instant of a US-Eastern wall-clock time, found with Intl (not DuckDB): try EDT (-4) and EST (-5)
 * and keep the one whose New York rendering matches.
 */
function easternToUtc(day: string, time: string): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const [hh, mm] = time.split(":").map(Number) as [number, number];
  for (const offset of [4, 5]) {
    const t = Date.UTC(y, m - 1, d, hh + offset, mm);
    const wall = EASTERN.format(new Date(t)).replace(",", "");
    if (wall === `${day} ${time}`) return t;
  }
  throw new Error(`no UTC instant for ${day} ${time} Eastern`);
}

let srv: NflverseServer;
let db: Database;
let ingestOut: string;

beforeAll(async () => {
  srv = await startNflverseServer(MIRROR_DIR);
  const cwd = tempDir("nflpred-derived-");
  const r = await runCli(["ingest", "--seasons", SEASONS.join(","), "--datasets", "schedules"], {
    cwd,
    env: { NFLVERSE_MIRROR: srv.url },
  });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  ingestOut = r.stdout;
  db = await openDatabase(join(cwd, "data/nfl.duckdb"), { readOnly: true });
});

afterAll(async () => {
  db?.close();
  await stopNflverseServer(srv);
});

async function game(id: string) {
  const row = await db.one<{
    k: number;
    kickoff_estimated: boolean;
    neutral_site: boolean;
    location: string;
    home_team: string;
    home_team_orig: string;
    away_team: string;
    away_team_orig: string;
  }>(
    `SELECT epoch_ms(kickoff_utc) AS k, kickoff_estimated, neutral_site, location, home_team, home_team_orig,
       away_team, away_team_orig FROM schedules WHERE game_id = ?`,
    [id],
  );
  if (!row) throw new Error(`game ${id} not loaded`);
  return row;
}

describe("kickoff_utc from gameday + gametime in America/New_York", () => {
  it("loads every requested season, and its stored-rows table says so, a line per season", () => {
    expect(ingestOut).toMatch(/^season\s+schedules$/m);
    for (const s of SEASONS) {
      const n = csvRows.filter((r) => r.season === String(s)).length;
      expect(ingestOut).toMatch(new RegExp(`^\\s*${s}\\s+${n}$`, "m"));
    }
  });

  it("London 09:30 ET: 2024_07_NE_JAX kicks off at 13:30Z", async () => {
    expect((await game("2024_07_NE_JAX")).k).toBe(Date.parse("2024-10-20T13:30:00Z"));
  });

  it.each([
    ["2024_08_PHI_CIN", "2024-10-27T17:00:00Z", "13:00 EDT, the Sunday before the 2024 fall-back"],
    ["2024_09_DAL_ATL", "2024-11-03T18:00:00Z", "13:00 EST, the day of the 2024 fall-back"],
    ["2024_09_IND_MIN", "2024-11-04T01:20:00Z", "20:20 EST crosses midnight UTC"],
    ["2023_01_CAR_ATL", "2023-09-10T17:00:00Z", "13:00 EDT in September"],
    ["2023_14_TB_ATL", "2023-12-10T18:00:00Z", "13:00 EST in December"],
    ["2023_22_SF_KC", "2024-02-11T23:30:00Z", "18:30 EST, the last game before the spring change"],
    ["2006_08_SF_CHI", "2006-10-29T18:00:00Z", "EST: before 2007, DST ended on the last Sunday of October"],
    ["2007_08_IND_CAR", "2007-10-28T17:00:00Z", "EDT: from 2007, DST runs to the first Sunday of November"],
    ["2007_09_SF_ATL", "2007-11-04T18:00:00Z", "EST on the 2007 fall-back day"],
  ])("%s → %s (%s)", async (id, utc) => {
    expect((await game(id)).k).toBe(Date.parse(utc));
  });

  it("matches an independent Intl conversion for every game with a gametime", async () => {
    const rows = await db.all<{ game_id: string; k: number }>(
      "SELECT game_id, epoch_ms(kickoff_utc) AS k FROM schedules WHERE NOT kickoff_estimated",
    );
    const got = new Map(rows.map((r) => [r.game_id, r.k]));
    const timed = csvRows.filter((r) => SEASONS.includes(Number(r.season)) && r.gametime !== "");
    expect(got.size).toBe(timed.length);
    for (const r of timed)
      expect([r.game_id, got.get(r.game_id!)]).toEqual([r.game_id, easternToUtc(r.gameday!, r.gametime!)]);
  });

  it("marks games without a gametime (all of 1999) as estimated, at 13:00 ET on a Sunday", async () => {
    const est = await db.all<{ season: number; n: number }>(
      "SELECT season, count(*) AS n FROM schedules WHERE kickoff_estimated GROUP BY season ORDER BY season",
    );
    const empty = csvRows.filter((r) => SEASONS.includes(Number(r.season)) && r.gametime === "");
    expect(est).toEqual([{ season: 1999, n: empty.length }]);
    expect(empty.length).toBe(csvRows.filter((r) => r.season === "1999").length);
    const g = await game("1999_01_MIN_ATL");
    expect(g.kickoff_estimated).toBe(true);
    expect(g.k).toBe(Date.parse("1999-09-12T17:00:00Z"));
  });
});

describe("neutral_site and team abbreviations", () => {
  it("is true for London and every `location = Neutral` game, false otherwise", async () => {
    const nfl = await game("2024_07_NE_JAX");
    expect([nfl.location, nfl.neutral_site]).toEqual(["Neutral", true]);
    const rows = await db.all<{ game_id: string; neutral_site: boolean }>(
      "SELECT game_id, neutral_site FROM schedules ORDER BY game_id",
    );
    const expected = csvRows
      .filter((r) => SEASONS.includes(Number(r.season)))
      .map((r) => ({ game_id: r.game_id, neutral_site: r.location === "Neutral" }))
      .sort((a, b) => (a.game_id! < b.game_id! ? -1 : 1));
    expect(rows).toEqual(expected);
    expect(rows.filter((r) => r.neutral_site).length).toBeGreaterThan(5);
  });

  it("normalises STL→LA, SD→LAC and OAK→LV and keeps the original", async () => {
    expect(await game("2015_01_SEA_STL")).toMatchObject({ home_team: "LA", home_team_orig: "STL" });
    expect(await game("2000_01_SD_OAK")).toMatchObject({
      away_team: "LAC",
      away_team_orig: "SD",
      home_team: "LV",
      home_team_orig: "OAK",
    });
    const old = await db.all(
      `SELECT DISTINCT t FROM (SELECT home_team AS t FROM schedules UNION ALL SELECT away_team FROM schedules)
       WHERE t IN ('STL', 'SD', 'OAK', 'LAR') ORDER BY t`,
    );
    expect(old).toEqual([]);
    const unchanged = await db.one<{ n: number }>(
      "SELECT count(*) AS n FROM schedules WHERE home_team_orig NOT IN ('STL', 'SD', 'OAK') AND home_team <> home_team_orig",
    );
    expect(unchanged?.n).toBe(0);
  });

  it("cleans roof to nflreadr's values", async () => {
    const roofs = await db.all<{ roof: string | null }>("SELECT DISTINCT roof FROM schedules ORDER BY roof");
    for (const r of roofs) expect([null, "closed", "dome", "open", "outdoors"]).toContain(r.roof);
  });
});
