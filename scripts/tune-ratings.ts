/**
 * How the constants of `power_rating` (DEFAULT_POWER_RATING), `qb_value_delta` (DEFAULT_QB_VALUE) and
 * `qb_epa_delta` were chosen: weekly walk-forward over 2006–2014 only (the reported 2015–2025 are never
 * looked at), the margin model on the mvp_v1 model view, recomputing the one feature under study for each
 * candidate setting.
 * Usage: tsx scripts/tune-ratings.ts <path/to/nfl.duckdb>   (mvp_v1 T-60m features; team_epa ingested)
 */
import { type LabelledPair, loadGamePairs, resolveModelFeatures } from "../src/cli/training-data.ts";
import { walkForward } from "../src/cli/walk-forward.ts";
import { loadConfig } from "../src/config/index.ts";
import type { Game } from "../src/domain/index.ts";
import {
  DEFAULT_POWER_RATING,
  DEFAULT_QB_VALUE,
  epaResiduals,
  GAMES_SQL,
  marginResiduals,
  normalizeGame,
  normalizeTeamEpa,
  type PowerRatingParams,
  powerRatings,
  type QbResiduals,
  type QbValueParams,
  runElo,
  runQbValues,
  TEAM_GAME_EPA_SQL,
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
const teamEpa = (await db.all(TEAM_GAME_EPA_SQL)).map(normalizeTeamEpa);
db.close();
const played = games.filter((g) => g.homeScore !== null && g.awayScore !== null && g.season <= 2014);
const gameById = new Map(games.map((g) => [g.gameId, g]));

function score(withFeature: (p: LabelledPair) => LabelledPair, view = defs): number {
  const rows = walkForward(
    pairs.map(withFeature),
    games,
    view,
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
/** The walk-forward Brier with `feature` recomputed from QB values over these residuals. */
function scoreQbDelta(feature: "qb_value_delta" | "qb_epa_delta", residuals: QbResiduals, p: QbValueParams) {
  const qb = runQbValues(played, residuals, DELAY, p);
  const delta = (team: string, id: string | null, asOf: number) =>
    id ? qb.valueAt(id, asOf) - qb.baselineAt(team, asOf) : null;
  return score((q) => {
    const g = gameById.get(q.gameId)!;
    return {
      ...q,
      home: { ...q.home, [feature]: delta(q.homeTeam, g.homeQbId, q.asOf) },
      away: { ...q.away, [feature]: delta(q.awayTeam, g.awayQbId, q.asOf) },
    };
  });
}
for (const p of qbGrid) {
  const brier = scoreQbDelta("qb_value_delta", marginResiduals(expected), p);
  console.log(`qb_value ${JSON.stringify(p)}: brier ${brier.toFixed(4)}`);
}

// qb_epa_delta: the same weighting over residuals of offensive EPA against what the defence allowed.
const withoutEpa = defs.filter((d) => d.name !== "qb_epa_delta");
console.log(`qb_epa_delta left out: brier ${score((q) => q, withoutEpa).toFixed(4)}`);
for (const defenseGames of [8, 16, 32]) {
  for (const p of qbGrid) {
    const brier = scoreQbDelta("qb_epa_delta", epaResiduals(played, teamEpa, defenseGames), p);
    console.log(`qb_epa_delta defence ${defenseGames} games ${JSON.stringify(p)}: brier ${brier.toFixed(4)}`);
  }
}
