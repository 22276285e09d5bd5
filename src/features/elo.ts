import type { Game } from "../domain/index.ts";
import { countVisible } from "./series.ts";

export interface EloParams {
  readonly k: number;
  readonly homeAdvantage: number;
  readonly marginMultiplier: boolean;
  /** Share of the distance to the mean a rating moves back at each new season (538: 1/3). */
  readonly seasonReversion: number;
  readonly initial: number;
}

export function eloWinProbability(diff: number): number {
  return 1 / (1 + 10 ** (-diff / 400));
}

interface Point {
  readonly visibleAt: number;
  readonly season: number;
  readonly rating: number;
}

/**
 * 538-style Elo over every played game in kickoff order. Each team's trajectory is kept with the instant
 * each rating became visible, so the pre-game rating "as of" any instant uses only visible results.
 */
export function runElo(games: readonly Game[], p: EloParams, visibleDelayMs: number) {
  const current = new Map<string, { rating: number; season: number }>();
  const trajectory = new Map<string, Point[]>();
  const ratingFor = (team: string, season: number) => {
    const c = current.get(team);
    if (!c) return p.initial;
    return revert(c.rating, season - c.season, p);
  };
  for (const g of games) {
    if (g.homeScore === null || g.awayScore === null) continue;
    const rh = ratingFor(g.homeTeam, g.season);
    const ra = ratingFor(g.awayTeam, g.season);
    const hfa = g.neutralSite ? 0 : p.homeAdvantage;
    const expected = eloWinProbability(rh - ra + hfa);
    const margin = g.homeScore - g.awayScore;
    const actual = margin > 0 ? 1 : margin < 0 ? 0 : 0.5;
    let mult = 1;
    if (p.marginMultiplier) {
      const winnerDiff = margin > 0 ? rh - ra + hfa : margin < 0 ? ra - rh - hfa : 0;
      mult = Math.log(Math.abs(margin) + 1) * (2.2 / (winnerDiff * 0.001 + 2.2));
      if (margin === 0) mult = 1;
    }
    const shift = p.k * mult * (actual - expected);
    const visibleAt = g.kickoff + visibleDelayMs;
    for (const [team, rating] of [
      [g.homeTeam, rh + shift],
      [g.awayTeam, ra - shift],
    ] as const) {
      current.set(team, { rating, season: g.season });
      const list = trajectory.get(team);
      const point = { visibleAt, season: g.season, rating };
      if (list) list.push(point);
      else trajectory.set(team, [point]);
    }
  }
  return {
    /** Pre-game rating of `team` for a game of `season`, from results visible at `asOf`. */
    ratingAt(team: string, asOf: number, season: number): number {
      const list = trajectory.get(team);
      if (!list) return p.initial;
      const lo = countVisible(list, asOf, (x) => x.visibleAt);
      if (lo === 0) return p.initial;
      const last = list[lo - 1]!;
      return revert(last.rating, season - last.season, p);
    },
  };
}

function revert(rating: number, seasons: number, p: EloParams): number {
  let r = rating;
  for (let i = 0; i < seasons; i++) r = r + p.seasonReversion * (p.initial - r);
  return r;
}
