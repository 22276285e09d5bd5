/**
 * How the constants of `power_rating` (DEFAULT_POWER_RATING) and `qb_value_delta` (DEFAULT_QB_VALUE) were
 * chosen: weekly walk-forward over 2006–2014 only (the reported 2015–2025 are never looked at), the margin
 * model on the mvp_v1 model view, recomputing the one feature under study for each candidate setting.
 * Usage: tsx scripts/tune-ratings.ts <path/to/nfl.duckdb>   (a database with mvp_v1 T-60m features)
 */
import { type LabelledPair, loadGamePairs, resolveModelFeatures } from "../src/cli/training-data.ts";
import { walkForward } from "../src/cli/walk-forward.ts";
import { loadConfig } from "../src/config/index.ts";
import type { Game } from "../src/domain/index.ts";
import {
  DEFAULT_POWER_RATING,
  DEFAULT_QB_VALUE,
  GAMES_SQL,
  normalizeGame,
  type PowerRatingParams,
  powerRatings,
  type QbValueParams,
  runElo,
  runQbValues,
} from "../src/features/index.ts";
import { brierScore } from "../src/report/index.ts";
import { openDatabase } from "../src/storage/index.ts";

const dbPath = process.argv[2];
if (!dbPath) throw new Error("usage: tsx scripts/tune-ratings.ts <db>");
const TUNE = [2006, 2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014];
const DELAY = 4 * 3_600_000;
const defs = resolveModelFeatures("mvp_v1");
const db = await openDatabase(dbPath, { readOnly: true });
const pairs = await loadGamePairs(
  db,
  "mvp_v1",
  defs.map((d) => d.name),
  { seasons: Array.from({ length: 2014 - 1999 + 1 }, (_, i) => 1999 + i) },
);
const games: Game[] = (await db.all(GAMES_SQL)).map(normalizeGame).sort((a, b) => a.kickoff - b.kickoff);
db.close();
const played = games.filter((g) => g.homeScore !== null && g.awayScore !== null && g.season <= 2014);
const gameById = new Map(games.map((g) => [g.gameId, g]));

function score(withFeature: (p: LabelledPair) => LabelledPair): number {
  const rows = walkForward(
    pairs.map(withFeature),
    games,
    defs,
    { learner: "margin", seed: 42, l2: 10, cvFolds: 5, calibrationWeeks: 0, holdoutWeeks: 0 },
    { seasons: TUNE, retrain: "weekly", seasonsBack: 10, seasonWeights: [], runId: "tune" },
  );
  return brierScore(
    rows.map((r) => r.pModel),
    rows.map((r) => r.label),
  );
}

const powerGrid: PowerRatingParams[] = [120, 160, 200, 240, 300].flatMap((decayDays) =>
  [1, 2, 4].map((ridge) => ({ ...DEFAULT_POWER_RATING, decayDays, ridge })),
);
for (const p of powerGrid) {
  const cache = new Map<number, Map<string, number>>();
  const at = (asOf: number) => {
    let r = cache.get(asOf);
    if (!r) {
      r = powerRatings(
        played.filter((g) => g.kickoff + DELAY <= asOf),
        asOf,
        p,
      );
      cache.set(asOf, r);
    }
    return r;
  };
  const brier = score((q) => {
    const r = at(q.asOf);
    return {
      ...q,
      home: { ...q.home, power_rating: r.get(q.homeTeam) ?? 0 },
      away: { ...q.away, power_rating: r.get(q.awayTeam) ?? 0 },
    };
  });
  console.log(`power_rating decay=${p.decayDays}d ridge=${p.ridge}: brier ${brier.toFixed(4)}`);
}

const elo = loadConfig({ cwd: process.cwd(), env: {} }).features.elo;
const eloRun = runElo(
  games,
  {
    k: elo.k,
    homeAdvantage: elo.home_advantage,
    marginMultiplier: elo.margin_multiplier,
    seasonReversion: elo.season_reversion,
    initial: elo.initial,
  },
  DELAY,
);
const expected = (g: Game) =>
  (eloRun.ratingAt(g.homeTeam, g.kickoff, g.season) -
    eloRun.ratingAt(g.awayTeam, g.kickoff, g.season) +
    (g.neutralSite ? 0 : elo.home_advantage)) /
  (400 / (6.5 * Math.LN10));
const qbGrid: QbValueParams[] = [
  { prior: -3, priorStarts: 8, alpha: 0.1, baselineStarts: 8 },
  { prior: -6, priorStarts: 16, alpha: 0.05, baselineStarts: 8 },
  DEFAULT_QB_VALUE,
  { prior: -8, priorStarts: 24, alpha: 0.03, baselineStarts: 16 },
];
for (const p of qbGrid) {
  const qb = runQbValues(played, expected, DELAY, p);
  const delta = (team: string, id: string | null, asOf: number) =>
    id ? qb.valueAt(id, asOf) - qb.baselineAt(team, asOf) : null;
  const brier = score((q) => {
    const g = gameById.get(q.gameId)!;
    return {
      ...q,
      home: { ...q.home, qb_value_delta: delta(q.homeTeam, g.homeQbId, q.asOf) },
      away: { ...q.away, qb_value_delta: delta(q.awayTeam, g.awayQbId, q.asOf) },
    };
  });
  console.log(`qb_value ${JSON.stringify(p)}: brier ${brier.toFixed(4)}`);
}
