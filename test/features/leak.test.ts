import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFeatureSources } from "../../src/cli/feature-sources.ts";
import { type Game, MS_HOUR, MS_MINUTE } from "../../src/domain/index.ts";
import { buildFeatureRows, type FeatureSources } from "../../src/features/index.ts";
import type { Database } from "../../src/storage/index.ts";
import { TEST_BUILD_OPTIONS } from "../helpers/features.ts";
import { mirrorDatabase } from "../helpers/mirror.ts";

const OPTS = TEST_BUILD_OPTIONS;

/**
 * What a client running at `asOf` would have had, written independently of the builder's own filters:
 * later results, play-by-play, weekly reports, lines, weather and starting QBs are removed.
 */
function truncateAt(src: FeatureSources, asOf: number): FeatureSources {
  const games: Game[] = src.games.map((g) => {
    const resultKnown = g.kickoff + 4 * MS_HOUR <= asOf;
    const lineKnown = g.kickoff - 60 * MS_MINUTE <= asOf;
    const qbKnown = g.kickoff - 80 * MS_MINUTE <= asOf;
    return {
      ...g,
      homeScore: resultKnown ? g.homeScore : null,
      awayScore: resultKnown ? g.awayScore : null,
      overtime: resultKnown ? g.overtime : null,
      temp: lineKnown ? g.temp : null,
      wind: lineKnown ? g.wind : null,
      spreadLine: lineKnown ? g.spreadLine : null,
      totalLine: lineKnown ? g.totalLine : null,
      homeMoneyline: lineKnown ? g.homeMoneyline : null,
      awayMoneyline: lineKnown ? g.awayMoneyline : null,
      homeQbId: qbKnown ? g.homeQbId : null,
      awayQbId: qbKnown ? g.awayQbId : null,
    };
  });
  const byId = new Map(src.games.map((g) => [g.gameId, g]));
  const teamWeekKickoff = new Map<string, number>();
  for (const g of src.games) {
    teamWeekKickoff.set(`${g.season}|${g.week}|${g.homeTeam}`, g.kickoff);
    teamWeekKickoff.set(`${g.season}|${g.week}|${g.awayTeam}`, g.kickoff);
  }
  const reportKnown = (r: { season: number; week: number; team: string }) => {
    const k = teamWeekKickoff.get(`${r.season}|${r.week}|${r.team}`);
    return k !== undefined && k - 24 * MS_HOUR <= asOf;
  };
  return {
    ...src,
    games,
    pbp: src.pbp.filter((r) => {
      const g = byId.get(r.gameId);
      return g !== undefined && g.kickoff + 4 * MS_HOUR <= asOf;
    }),
    teamEpa: src.teamEpa.filter((r) => {
      const g = byId.get(r.gameId);
      return g !== undefined && g.kickoff + 4 * MS_HOUR <= asOf;
    }),
    injuries: src.injuries.filter(reportKnown),
    rosters: src.rosters.filter(reportKnown),
    depth: src.depth.filter(reportKnown),
  };
}

/** Deterministic PRNG so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("point-in-time features on real data", () => {
  let db: Database;
  let sources: FeatureSources;

  beforeAll(async () => {
    ({ db } = await mirrorDatabase(
      ["schedules", "team_epa", "pbp", "injuries", "weekly_rosters", "depth_charts"],
      [2022, 2023, 2024],
    ));
    sources = await loadFeatureSources(db);
  });
  afterAll(() => db?.close());

  it("a row built from all data equals the row built from data truncated at its as-of time", () => {
    const rand = mulberry32(20241020);
    const candidates = sources.games.filter((g) => g.season >= 2022 && g.season <= 2024);
    let compared = 0;
    for (let i = 0; i < 60; i++) {
      const g = candidates[Math.floor(rand() * candidates.length)]!;
      // Anywhere from a week before kickoff to kickoff itself, including inside the ladder.
      const asOf = g.kickoff - Math.floor(rand() * 7 * 24 * 60) * MS_MINUTE;
      const full = buildFeatureRows(sources, [{ gameId: g.gameId, asOf }], OPTS);
      const cut = buildFeatureRows(truncateAt(sources, asOf), [{ gameId: g.gameId, asOf }], OPTS);
      expect(
        full.map((r) => r.values),
        `${g.gameId} as of ${new Date(asOf).toISOString()}`,
      ).toEqual(cut.map((r) => r.values));
      compared++;
    }
    expect(compared).toBe(60);
  });

  it("the truncation really removes information the builder could have used", () => {
    // Guards the test above: if truncation removed nothing, equality would prove nothing.
    const g = sources.games.find((x) => x.gameId === "2024_10_NYG_CAR")!;
    const asOf = g.kickoff - 60 * MS_MINUTE;
    const cut = truncateAt(sources, asOf);
    expect(cut.games.filter((x) => x.homeScore === null).length).toBeGreaterThan(
      sources.games.filter((x) => x.homeScore === null).length,
    );
    expect(cut.pbp.length).toBeLessThan(sources.pbp.length);
    expect(cut.teamEpa.length).toBeLessThan(sources.teamEpa.length);
    expect(cut.injuries.length).toBeLessThan(sources.injuries.length);
  });

  it("no feature of a game changes when that game's own final score is altered", () => {
    for (const id of ["2024_07_NE_JAX", "2023_22_SF_KC", "2022_05_NYG_GB", "2024_18_CAR_ATL"]) {
      const g = sources.games.find((x) => x.gameId === id);
      if (!g) throw new Error(`missing ${id}`);
      const asOf = g.kickoff - 60 * MS_MINUTE;
      const altered: FeatureSources = {
        ...sources,
        games: sources.games.map((x) => (x.gameId === id ? { ...x, homeScore: 99, awayScore: 0 } : x)),
        pbp: sources.pbp.map((r) => (r.gameId === id ? { ...r, sums: { ...r.sums, sum_epa: 999 } } : r)),
        teamEpa: sources.teamEpa.map((r) => (r.gameId === id ? { ...r, epa: 999, epaAgainst: -999 } : r)),
      };
      const a = buildFeatureRows(sources, [{ gameId: id, asOf }], OPTS);
      const b = buildFeatureRows(altered, [{ gameId: id, asOf }], OPTS);
      expect(
        b.map((r) => r.values),
        id,
      ).toEqual(a.map((r) => r.values));
    }
  });

  it("a game built as of a later instant still never sees its own result or later games", () => {
    const g = sources.games.find((x) => x.gameId === "2024_07_NE_JAX")!;
    const atKickoff = buildFeatureRows(sources, [{ gameId: g.gameId, asOf: g.kickoff }], OPTS);
    const later = buildFeatureRows(
      sources,
      [{ gameId: g.gameId, asOf: g.kickoff + 30 * 24 * MS_HOUR }],
      OPTS,
    );
    expect(later.map((r) => r.values)).toEqual(atKickoff.map((r) => r.values));
    expect(later[0]!.asOf).toBe(g.kickoff);
  });
});
