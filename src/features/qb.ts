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

interface QbPoint {
  readonly visibleAt: number;
  readonly mean: number;
  readonly starts: number;
}

interface StartPoint {
  readonly visibleAt: number;
  readonly qb: string | null;
}

/**
 * A QB's value is how many points better than expected his teams did in his starts: the exponentially
 * weighted mean of (margin − expected margin), shrunk toward `prior`. `expectedMargin` must use only
 * what was known before each game (the Elo pre-game ratings). Every update is tagged with the instant its
 * result became visible, so values "as of" any instant never use a later result.
 */
export function runQbValues(
  played: readonly Game[],
  expectedMargin: (g: Game) => number,
  visibleDelayMs: number,
  p: QbValueParams = DEFAULT_QB_VALUE,
) {
  const trajectory = new Map<string, QbPoint[]>();
  const starters = new Map<string, StartPoint[]>();
  for (const g of played) {
    if (g.homeScore === null || g.awayScore === null) continue;
    const visibleAt = g.kickoff + visibleDelayMs;
    const residual = g.homeScore - g.awayScore - expectedMargin(g);
    for (const [team, qb, r] of [
      [g.homeTeam, g.homeQbId, residual],
      [g.awayTeam, g.awayQbId, -residual],
    ] as const) {
      const list = starters.get(team) ?? [];
      list.push({ visibleAt, qb });
      starters.set(team, list);
      if (!qb) continue;
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
