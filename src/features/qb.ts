import type { Game } from "../domain/index.ts";
import { countVisible } from "./series.ts";

/** Settings of the starting-QB value (`qb_value`, `qb_value_delta`). */
export interface QbValueParams {
  /** Value, in points, assumed for a QB with no visible start: backups and rookies are below average. */
  readonly prior: number;
  /** How many starts' worth of weight the prior carries in the shrunk value. */
  readonly priorStarts: number;
  /** Floor of the exponential-average step: recent starts keep counting after a long career. */
  readonly alpha: number;
  /** A team's usual QB level is the mean value of its last this-many starters. */
  readonly baselineStarts: number;
}

/** Chosen by walk-forward on 2006–2014 (scripts/tune-ratings.ts); the reported seasons were not looked at. */
export const DEFAULT_QB_VALUE: QbValueParams = {
  prior: -6,
  priorStarts: 16,
  alpha: 0.05,
  baselineStarts: 16,
};

/** Residuals from the final margin against an expected margin known before the game (the Elo one). */
export function marginResiduals(expectedMargin: (g: Game) => number): QbResiduals {
  return (g) => {
    if (g.homeScore === null || g.awayScore === null) return null;
    const r = g.homeScore - g.awayScore - expectedMargin(g);
    return [r, -r];
  };
}

/** A team's EPA on its own possessions in one game, and its opponent's. */
export interface TeamGameEpa {
  readonly gameId: string;
  readonly team: string;
  readonly epa: number;
  readonly epaAgainst: number;
}

/**
 * Residuals from offensive EPA: each offence's total EPA minus what the opposing defence allowed on average
 * over its previous `defenseGames` games. Offence is where a quarterback shows, so this rates him more
 * directly than the margin does. `played` must be in kickoff order: the average only sees earlier games.
 */
export function epaResiduals(
  played: readonly Game[],
  epa: readonly TeamGameEpa[],
  defenseGames = 16,
): QbResiduals {
  const byGame = new Map<string, TeamGameEpa>();
  for (const r of epa) byGame.set(`${r.gameId}|${r.team}`, r);
  const allowed = new Map<string, number[]>();
  const out = new Map<string, readonly [number, number]>();
  const meanAllowed = (team: string) => {
    const recent = (allowed.get(team) ?? []).slice(-defenseGames);
    return recent.length === 0 ? 0 : recent.reduce((a, b) => a + b, 0) / recent.length;
  };
  for (const g of played) {
    const home = byGame.get(`${g.gameId}|${g.homeTeam}`);
    const away = byGame.get(`${g.gameId}|${g.awayTeam}`);
    if (!home || !away) continue;
    out.set(g.gameId, [home.epa - meanAllowed(g.awayTeam), away.epa - meanAllowed(g.homeTeam)]);
    for (const [team, against] of [
      [g.homeTeam, home.epaAgainst],
      [g.awayTeam, away.epaAgainst],
    ] as const) {
      const list = allowed.get(team) ?? [];
      list.push(against);
      allowed.set(team, list);
    }
  }
  return (g) => out.get(g.gameId) ?? null;
}

interface QbPoint {
  readonly visibleAt: number;
  readonly mean: number;
  readonly starts: number;
}

interface StartPoint {
  readonly visibleAt: number;
  readonly qb: string | null;
}

/** A game's residuals for the home and the away starter, or null when the game cannot rate its QBs. */
export type QbResiduals = (g: Game) => readonly [home: number, away: number] | null;

/**
 * A QB's value is how much better than expected his teams did in his starts: the exponentially weighted
 * mean of the game residuals (`residuals`), shrunk toward `prior`. Residuals must use only what was known
 * before each game. Every update is tagged with the instant its result became visible, so values "as of"
 * any instant never use a later result. A game without residuals still counts as its teams' start.
 */
export function runQbValues(
  played: readonly Game[],
  residuals: QbResiduals,
  visibleDelayMs: number,
  p: QbValueParams = DEFAULT_QB_VALUE,
) {
  const trajectory = new Map<string, QbPoint[]>();
  const starters = new Map<string, StartPoint[]>();
  for (const g of played) {
    if (g.homeScore === null || g.awayScore === null) continue;
    const visibleAt = g.kickoff + visibleDelayMs;
    const res = residuals(g);
    for (const [team, qb, r] of [
      [g.homeTeam, g.homeQbId, res?.[0]],
      [g.awayTeam, g.awayQbId, res?.[1]],
    ] as const) {
      const list = starters.get(team) ?? [];
      list.push({ visibleAt, qb });
      starters.set(team, list);
      if (!qb || r === undefined) continue;
      const points = trajectory.get(qb) ?? [];
      const last = points.at(-1);
      const starts = (last?.starts ?? 0) + 1;
      const mean = last ? last.mean + Math.max(p.alpha, 1 / starts) * (r - last.mean) : r;
      points.push({ visibleAt, mean, starts });
      trajectory.set(qb, points);
    }
  }
  const valueAt = (qb: string | null, asOf: number): number => {
    const last = qb ? latest(trajectory.get(qb), asOf) : undefined;
    if (!last) return p.prior;
    return (last.mean * last.starts + p.prior * p.priorStarts) / (last.starts + p.priorStarts);
  };
  return {
    /** Shrunk value of `qb` from the results visible at `asOf` (the prior for an unknown QB). */
    valueAt,
    /** Mean current value of the team's last `baselineStarts` starters visible at `asOf`. */
    baselineAt(team: string, asOf: number): number {
      const list = starters.get(team);
      const end = list ? countVisible(list, asOf, (x) => x.visibleAt) : 0;
      if (!list || end === 0) return p.prior;
      const recent = list.slice(Math.max(0, end - p.baselineStarts), end);
      return recent.reduce((s, x) => s + valueAt(x.qb, asOf), 0) / recent.length;
    },
  };
}

function latest<T extends { visibleAt: number }>(
  list: readonly T[] | undefined,
  asOf: number,
): T | undefined {
  if (!list) return undefined;
  const n = countVisible(list, asOf, (x) => x.visibleAt);
  return n === 0 ? undefined : list[n - 1];
}
