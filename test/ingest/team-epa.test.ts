import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { historyNote, loadFeatureSources } from "../../src/cli/feature-sources.ts";
import { TEAM_GAME_EPA_SQL } from "../../src/features/index.ts";
import type { Database } from "../../src/storage/index.ts";
import { ingestMirror, mirrorDatabase } from "../helpers/mirror.ts";

let db: Database;
let dir: string;

beforeAll(async () => {
  ({ db, dir } = await mirrorDatabase(["schedules", "team_epa", "pbp"], [2015, 2016, 2019, 2020]));
});
afterAll(() => db?.close());

const ingestTeamEpa = (seasons: number[]) => ingestMirror(db, dir, ["team_epa"], seasons, false);

describe("team_epa (greerreNFL team-game EPA) on the real mirror", () => {
  it("stores nflverse team codes and keeps nfelo's originals", async () => {
    const rams = await db.all<{ season: number; team: string; team_orig: string }>(
      "SELECT DISTINCT season, team, team_orig FROM team_epa WHERE team_orig IN ('LAR', 'OAK') ORDER BY ALL",
    );
    expect(rams).toEqual([
      { season: 2015, team: "LA", team_orig: "LAR" },
      { season: 2015, team: "LV", team_orig: "OAK" },
      { season: 2016, team: "LA", team_orig: "LAR" },
      { season: 2016, team: "LV", team_orig: "OAK" },
      { season: 2019, team: "LA", team_orig: "LAR" },
      { season: 2019, team: "LV", team_orig: "OAK" },
      { season: 2020, team: "LA", team_orig: "LAR" },
      { season: 2020, team: "LV", team_orig: "OAK" },
    ]);
  });

  it("gives every played game of these seasons two rows, from team_epa before 2019 and play-by-play after", async () => {
    const per = await db.all<{ season: number; games: number; rows: number; matched: number }>(
      `SELECT s.season, count(DISTINCT s.game_id) AS games, count(e.game_id) AS rows,
              count(DISTINCT e.game_id) AS matched
       FROM schedules s LEFT JOIN (${TEAM_GAME_EPA_SQL}) e USING (game_id)
       WHERE s.season IN (2015, 2016, 2019, 2020) AND s.home_score IS NOT NULL
       GROUP BY ALL ORDER BY s.season`,
    );
    expect(per.map((r) => r.season)).toEqual([2015, 2016, 2019, 2020]);
    // Exactly two in 2019-2020 too, where both sources hold the game: play-by-play takes precedence.
    for (const r of per) {
      expect(r.matched, `season ${r.season}`).toBe(r.games);
      expect(r.rows, `season ${r.season}`).toBe(2 * r.games);
    }
    // A St. Louis game of 2015 is found under its nflverse id (nfelo writes LAR).
    const stl = await db.all<{ team: string; epa: number }>(
      `SELECT team, epa FROM (${TEAM_GAME_EPA_SQL}) WHERE game_id = '2015_01_SEA_STL' ORDER BY team`,
    );
    expect(stl.map((r) => r.team)).toEqual(["LA", "SEA"]);
    // Each side's epa_against is the other side's epa.
    const pair = await db.all<{ epa: number; epa_against: number }>(
      `SELECT epa, epa_against FROM (${TEAM_GAME_EPA_SQL}) WHERE game_id = '2020_10_BUF_ARI' ORDER BY team`,
    );
    expect(pair[0]!.epa).toBeCloseTo(pair[1]!.epa_against, 9);
    expect(pair[1]!.epa).toBeCloseTo(pair[0]!.epa_against, 9);
  });

  it("agrees with the sums over play-by-play where both exist (2019, 2020)", async () => {
    const diff = await db.one<{ n: number; worst: number }>(
      `WITH p AS (SELECT game_id, posteam AS team, sum(epa) AS epa FROM pbp
                  WHERE posteam IS NOT NULL AND epa IS NOT NULL GROUP BY ALL)
       SELECT count(*) AS n, max(abs(p.epa - t.epa)) AS worst
       FROM p JOIN schedules s USING (game_id)
       JOIN team_epa t ON t.season = s.season AND t.team = p.team
        AND t.opponent = CASE WHEN p.team = s.home_team THEN s.away_team ELSE s.home_team END
        AND TRY_CAST(split_part(t.game_id, '_', 2) AS INTEGER) = s.week`,
    );
    expect(diff!.n).toBeGreaterThan(1000);
    expect(diff!.worst).toBeLessThan(1e-3);
  });

  it("the feature sources carry it, and build-features' history line names its seasons", async () => {
    const sources = await loadFeatureSources(db, [2020]);
    expect(historyNote(sources)).toBe("History: results 2015–2020; team EPA 2015–2020");
    expect(historyNote({ ...sources, teamEpa: [] })).toMatch(/team EPA none \(qb_epa_delta rates every QB/);
  });

  it("a season the file lacks is skipped, not an error, and leaves every stored season alone", async () => {
    const before = await db.one<{ n: number }>("SELECT count(*) AS n FROM team_epa");
    const only2026 = await ingestTeamEpa([2026]);
    expect(only2026.files.map((f) => f.status)).toEqual(["empty"]);
    const mixed = await ingestTeamEpa([2025, 2026]);
    expect(mixed.files.map((f) => f.status)).toEqual(["loaded"]);
    const seasons = await db.all<{ season: number; n: number }>(
      "SELECT season, count(*) AS n FROM team_epa GROUP BY season ORDER BY season",
    );
    expect(seasons.map((r) => r.season)).toEqual([2015, 2016, 2019, 2020, 2025]);
    const kept = seasons.filter((r) => r.season !== 2025).reduce((a, r) => a + r.n, 0);
    expect(kept).toBe(before!.n);
    // nfelo's file ends before Super Bowl LX: 284 of 2025's 285 games.
    expect(seasons.at(-1)!.n).toBe(2 * 284);
  });
});
