import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isNflPredError, type NflPredError } from "../../src/domain/index.ts";
import { type IngestRequest, runIngest } from "../../src/ingest/index.ts";
import { type Database, type DatasetName, openDatabase } from "../../src/storage/index.ts";
import { MIRROR_DIR, tempDir } from "../helpers/mirror.ts";
import { type NflverseServer, startNflverseServer, stopNflverseServer } from "../helpers/nflverse-server.ts";

const GAMES = "/schedules/games.csv";
const TEAMS = "/teams/teams_colors_logos.csv";
const PBP = "/pbp/play_by_play_2024.parquet";
const TEAM_EPA = "/derived/wepa_greerreNFL/wepa_by_game_at.csv";
const gamesText = readFileSync(join(MIRROR_DIR, "schedules/games.csv"), "utf8");

let srv: NflverseServer;
let dir: string;
let db: Database;

const ingest = (datasets: DatasetName[], seasons: number[]) => {
  const req: IngestRequest = {
    datasets,
    seasons,
    allowMissing: false,
    base: srv.url,
    rawDir: join(dir, "raw"),
    policy: { timeoutMs: 5_000, retries: 0, backoffMs: 0 },
  };
  return runIngest(db, req, { fetch: globalThis.fetch, now: () => Date.parse("2026-11-29T00:00:00Z") });
};

async function failureOf(p: Promise<unknown>): Promise<NflPredError> {
  try {
    await p;
  } catch (e) {
    if (isNflPredError(e)) return e;
    throw e;
  }
  throw new Error("expected the ingest to fail");
}

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

beforeAll(async () => {
  srv = await startNflverseServer(MIRROR_DIR);
});
afterAll(async () => {
  await stopNflverseServer(srv);
});
beforeEach(async (ctx) => {
  srv.reset();
  dir = tempDir("nflpred-pipeline-");
  db = await openDatabase(join(dir, "nfl.duckdb"));
  ctx.onTestFinished(() => db.close());
});

describe("runIngest edge cases (in-process, real server and DuckDB)", () => {
  it("a Parquet file with intact magic bytes but corrupt pages is a contract error, not a crash", async () => {
    const good = readFileSync(join(MIRROR_DIR, "pbp/play_by_play_2024.parquet"));
    const bad = Buffer.from(good);
    bad.fill(0x5a, 1_000, Math.floor(bad.length * 0.8));
    srv.setBody(PBP, bad);
    const err = await failureOf(ingest(["pbp"], [2024]));
    expect(err.code).toBe("CONTRACT");
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`pbp file ${srv.url}${PBP}`);
    expect(err.message).toMatch(/cannot be read as parquet/);
    expect(await db.one("SELECT count(*) AS n FROM pbp")).toEqual({ n: 0 });
    const rawPbp = join(dir, "raw/pbp");
    expect(existsSync(rawPbp) ? readdirSync(rawPbp) : []).toEqual([]);
  });

  it("an integer out of range ('1e10') is a contract error naming the column, not a DuckDB crash", async () => {
    const line = gamesText.split("\n").find((l) => l.startsWith("2024_05_"))!;
    srv.setBody(
      GAMES,
      gamesText.replace(
        line,
        line.replace(/^(2024_05_\w+,2024,REG,)5,/, (_, head: string) => `${head}1e10,`),
      ),
    );
    const err = await failureOf(ingest(["schedules"], [2024]));
    expect(err.code).toBe("CONTRACT");
    expect(err.column).toBe("week");
    expect(err.message).toContain(
      `schedules file ${srv.url}${GAMES}: column week expects INTEGER, found '1e10'`,
    );
  });

  it("an unparseable gametime ('TBD', '25:99') is estimated from the weekday instead of failing", async () => {
    const lines = gamesText.split("\n");
    const kc = lines.findIndex((l) => l.startsWith("2024_01_BAL_KC,"));
    const phi = lines.findIndex((l) => l.startsWith("2024_01_GB_PHI,"));
    expect(lines[kc]).toContain(",Thursday,20:20,");
    expect(lines[phi]).toContain(",Friday,20:15,");
    lines[kc] = lines[kc]!.replace(",Thursday,20:20,", ",Thursday,TBD,");
    lines[phi] = lines[phi]!.replace(",Friday,20:15,", ",Friday,25:99,");
    srv.setBody(GAMES, lines.join("\n"));
    await ingest(["schedules"], [2024]);
    const rows = await db.all(
      `SELECT game_id, epoch_ms(kickoff_utc) AS k, kickoff_estimated AS est FROM schedules
       WHERE game_id IN ('2024_01_BAL_KC', '2024_01_GB_PHI', '2024_01_PIT_ATL') ORDER BY game_id`,
    );
    expect(rows).toEqual([
      // Thursday fallback 20:30 EDT; Friday fallback 20:00 EDT; an untouched game keeps its real time.
      { game_id: "2024_01_BAL_KC", k: Date.parse("2024-09-06T00:30:00Z"), est: true },
      { game_id: "2024_01_GB_PHI", k: Date.parse("2024-09-07T00:00:00Z"), est: true },
      { game_id: "2024_01_PIT_ATL", k: Date.parse("2024-09-08T17:00:00Z"), est: false },
    ]);
  });

  it("a failing file leaves the raw Parquet copies of the good files in the same run untouched", async () => {
    await ingest(["schedules", "teams"], [2024]);
    const rawTeams = join(dir, "raw/teams/teams_colors_logos.parquet");
    const rawGames = join(dir, "raw/schedules/games_2024.parquet");
    const before = { teams: sha(rawTeams), games: sha(rawGames) };

    const teamsText = readFileSync(join(MIRROR_DIR, "teams/teams_colors_logos.csv"), "utf8");
    srv.setBody(TEAMS, teamsText.replace("Arizona Cardinals", "Arizona Redbirds"));
    srv.setFault(GAMES, { kind: "html" });
    // teams is staged (its typed Parquet written) before schedules fails.
    const err = await failureOf(ingest(["teams", "schedules"], [2024]));
    expect(err.message).toContain("HTML page");
    expect({ teams: sha(rawTeams), games: sha(rawGames) }).toEqual(before);
    expect(await db.one("SELECT count(*) AS n FROM teams WHERE team_name = 'Arizona Redbirds'")).toEqual({
      n: 0,
    });
    expect(readdirSync(join(dir, "raw/teams"))).toEqual(["teams_colors_logos.parquet"]);

    srv.reset();
    srv.setBody(TEAMS, teamsText.replace("Arizona Cardinals", "Arizona Redbirds"));
    await ingest(["teams"], [2024]);
    expect(sha(rawTeams)).not.toBe(before.teams);
    expect(await db.one("SELECT count(*) AS n FROM teams WHERE team_name = 'Arizona Redbirds'")).toEqual({
      n: 1,
    });
  });

  it("a supplementary source that is absent or down is skipped, a malformed one fails with a way out", async () => {
    srv.setFault(TEAM_EPA, { kind: "status", status: 404 });
    const absent = await ingest(["schedules", "team_epa"], [2024]);
    expect(absent.files.map((f) => [f.dataset, f.status])).toEqual([
      ["schedules", "loaded"],
      ["team_epa", "missing"],
    ]);
    expect(await db.one("SELECT count(*) AS n FROM schedules WHERE season = 2024")).toEqual({ n: 285 });

    srv.reset();
    srv.setFault(TEAM_EPA, { kind: "status", status: 503 });
    const down = await ingest(["team_epa"], [2024]);
    expect(down.files[0]!.status).toBe("missing");
    expect(down.files[0]!.reason).toMatch(/HTTP 503/);
    expect(await db.one("SELECT count(*) AS n FROM team_epa")).toEqual({ n: 0 });

    srv.reset();
    await ingest(["team_epa"], [2024]);
    expect(await db.one("SELECT count(*) AS n FROM team_epa")).toEqual({ n: 2 * 285 });
    // A malformed one stops the run, stores nothing of it, and says how to go on without it.
    const text = readFileSync(join(MIRROR_DIR, TEAM_EPA), "utf8");
    srv.setBody(TEAM_EPA, text.replace(",epa_against,", ",epa_allowed,"));
    const bad = await failureOf(ingest(["schedules", "team_epa"], [2023]));
    expect(bad.code).toBe("CONTRACT");
    expect(bad.message).toContain("missing required column(s) epa_against");
    expect(bad.hint).toBe("team_epa is not an nflverse dataset and can be left out: --datasets schedules");
    expect(await db.one("SELECT count(*) AS n FROM team_epa")).toEqual({ n: 2 * 285 });
    expect(await db.one("SELECT count(*) AS n FROM schedules WHERE season = 2023")).toEqual({ n: 0 });
    srv.reset();
    // An nflverse file missing from the same source still stops the run.
    for (const ext of ["parquet", "csv.gz", "csv"]) {
      srv.setFault(`/pbp/play_by_play_2024.${ext}`, { kind: "status", status: 404 });
    }
    const err = await failureOf(ingest(["pbp"], [2024]));
    expect(err.code).toBe("MISSING_SOURCE");
  });
});
