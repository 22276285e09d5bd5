import { describe, expect, it } from "vitest";
import { playedGame } from "../../test/helpers/games.ts";
import type { Game } from "../domain/index.ts";
import { runQbValues } from "./qb.ts";

const HOUR = 3_600_000;
const P = { prior: -6, priorStarts: 16, alpha: 0.05, baselineStarts: 2 };

function game(
  kickoff: number,
  home: string,
  away: string,
  hs: number,
  as: number,
  hq: string | null,
  aq: string | null,
): Game {
  return playedGame({
    kickoff,
    homeTeam: home,
    awayTeam: away,
    homeScore: hs,
    awayScore: as,
    homeQbId: hq,
    awayQbId: aq,
  });
}

describe("runQbValues", () => {
  // X (team T) beats the expectation by 10, then by 4; Y (team U) is on the other side each time.
  const games = [
    game(0, "T", "U", 24, 14, "X", "Y"),
    game(168 * HOUR, "U", "T", 20, 24, "Y", "X"),
    game(336 * HOUR, "T", "U", 10, 13, "Z", "Y"),
  ];
  const qb = runQbValues(games, () => 0, 4 * HOUR, P);

  it("averages residuals with a 1/n step, shrinks toward the prior, and only from visible results", () => {
    expect(qb.valueAt("X", 3 * HOUR)).toBe(-6);
    expect(qb.valueAt("X", 4 * HOUR)).toBeCloseTo((10 - 6 * 16) / 17, 12);
    // second start: mean 10 + (4 - 10) / 2 = 7 over two starts
    expect(qb.valueAt("X", 200 * HOUR)).toBeCloseTo((7 * 2 - 6 * 16) / 18, 12);
    expect(qb.valueAt("Y", 200 * HOUR)).toBeCloseTo((-7 * 2 - 6 * 16) / 18, 12);
    expect(qb.valueAt(null, 200 * HOUR)).toBe(-6);
    expect(qb.valueAt("nobody", 200 * HOUR)).toBe(-6);
  });

  it("measures a team's usual level over its last starters with their current values", () => {
    expect(qb.baselineAt("T", 0)).toBe(-6);
    expect(qb.baselineAt("T", 200 * HOUR)).toBeCloseTo(qb.valueAt("X", 200 * HOUR), 12);
    // after Z's start the last two starters are X and Z
    const later = 400 * HOUR;
    expect(qb.baselineAt("T", later)).toBeCloseTo((qb.valueAt("X", later) + qb.valueAt("Z", later)) / 2, 12);
    expect(qb.valueAt("Z", later)).toBeCloseTo((-3 - 6 * 16) / 17, 12);
  });
});
