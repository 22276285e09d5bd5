import type { Game } from "../domain/index.ts";

/** Settings of the point-margin rating (a ridge "simple rating system"). */
export interface MarginRatingParams {
  /** Weight of last season's games relative to this season's (carry-over early in a season). */
  readonly priorSeasonWeight: number;
  /** Ridge penalty pulling every rating toward 0 (league average), in games' worth. */
  readonly ridge: number;
  /** Margins are capped at ± this many points so blowouts do not dominate. */
  readonly marginCap: number;
}

export const DEFAULT_MARGIN_RATING: MarginRatingParams = { priorSeasonWeight: 0.35, ridge: 4, marginCap: 24 };

/**
 * Point-margin ratings from the games visible at an instant: least squares of capped margin on
 * (home rating − away rating + home advantage at non-neutral sites), this season weighted 1 and last
 * season `priorSeasonWeight`, with a ridge toward 0. Returns each team's rating in points.
 */
export function marginRatings(
  visible: readonly Game[],
  season: number,
  p: MarginRatingParams = DEFAULT_MARGIN_RATING,
): Map<string, number> {
  const weighted: WeightedGame[] = [];
  for (const g of visible) {
    const w = g.season === season ? 1 : g.season === season - 1 ? p.priorSeasonWeight : 0;
    if (w > 0) weighted.push({ game: g, weight: w });
  }
  return fitRatings(weighted, p.ridge, p.marginCap);
}

/** Settings of the decayed point-margin rating (`power_rating`). */
export interface PowerRatingParams {
  /** e-folding time of a game's weight, in days: an offseason (~210 days) leaves last season at ~1/3. */
  readonly decayDays: number;
  /** Games older than this many days are left out (their weight is negligible anyway). */
  readonly windowDays: number;
  /** Ridge penalty pulling every rating toward 0 (league average), in full-weight games' worth. */
  readonly ridge: number;
  readonly marginCap: number;
}

/** Chosen by walk-forward on 2006–2014 (scripts/tune-ratings.ts); the reported seasons were not looked at. */
export const DEFAULT_POWER_RATING: PowerRatingParams = {
  decayDays: 200,
  windowDays: 3 * 365,
  ridge: 2,
  marginCap: 21,
};

/**
 * Point-margin ratings with exponentially decaying game weights across season boundaries: the same
 * least squares as `marginRatings`, but a game `d` days before `asOf` weighs exp(-d / decayDays), so a
 * team's rating carries over the offseason smoothly instead of switching at week 1. Pure: `visible`
 * must hold only results visible at `asOf`.
 */
export function powerRatings(
  visible: readonly Game[],
  asOf: number,
  p: PowerRatingParams = DEFAULT_POWER_RATING,
): Map<string, number> {
  const weighted: WeightedGame[] = [];
  for (const g of visible) {
    const days = (asOf - g.kickoff) / 86_400_000;
    if (days >= 0 && days <= p.windowDays) weighted.push({ game: g, weight: Math.exp(-days / p.decayDays) });
  }
  return fitRatings(weighted, p.ridge, p.marginCap);
}

interface WeightedGame {
  readonly game: Game;
  readonly weight: number;
}

/**
 * Weighted ridge least squares of capped margins on (home rating − away rating + home advantage at
 * non-neutral sites); games without a score are skipped. Returns each team's rating in points.
 */
function fitRatings(games: readonly WeightedGame[], ridge: number, marginCap: number): Map<string, number> {
  const teams = new Map<string, number>();
  const played = games.filter(({ game: g }) => g.homeScore !== null && g.awayScore !== null);
  for (const { game: g } of played) {
    if (!teams.has(g.homeTeam)) teams.set(g.homeTeam, teams.size);
    if (!teams.has(g.awayTeam)) teams.set(g.awayTeam, teams.size);
  }
  const n = teams.size + 1; // ratings + home advantage
  const a = new Float64Array(n * n);
  const b = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) a[i * n + i] = ridge;
  for (const { game: g, weight: w } of played) {
    const margin = Math.max(-marginCap, Math.min(marginCap, g.homeScore! - g.awayScore!));
    const x: [number, number][] = [
      [teams.get(g.homeTeam)!, 1],
      [teams.get(g.awayTeam)!, -1],
    ];
    if (!g.neutralSite) x.push([n - 1, 1]);
    for (const [i, xi] of x) {
      b[i] = b[i]! + w * xi * margin;
      for (const [j, xj] of x) a[i * n + j] = a[i * n + j]! + w * xi * xj;
    }
  }
  a[(n - 1) * n + (n - 1)] = a[(n - 1) * n + (n - 1)]! + 1e-6;
  const r = solveSymmetric(a, b, n);
  const out = new Map<string, number>();
  for (const [team, i] of teams) out.set(team, r[i]!);
  return out;
}

/** Gaussian elimination with partial pivoting (n ≤ 40 here). */
function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[piv * n + c]!)) piv = r;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[piv * n + k]] = [m[piv * n + k]!, m[c * n + k]!];
      [x[c], x[piv]] = [x[piv]!, x[c]!];
    }
    const d = m[c * n + c]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] = m[r * n + k]! - f * m[c * n + k]!;
      x[r] = x[r]! - f * x[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c]!;
    for (let k = c + 1; k < n; k++) s -= m[c * n + k]! * x[k]!;
    const d = m[c * n + c]!;
    x[c] = Math.abs(d) < 1e-12 ? 0 : s / d;
  }
  return x;
}
