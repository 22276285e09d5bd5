import { describe, expect, it } from "vitest";
import { playedGame } from "../../test/helpers/games.ts";
import type { Game } from "../domain/index.ts";
import { epaResiduals, marginResiduals, runQbValues, type TeamGameEpa } from "./qb.ts";

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
  const qb = runQbValues(
    games,
    marginResiduals(() => 0),
    4 * HOUR,
    P,
  );

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

describe("epaResiduals", () => {
  // T's offence faces U's defence three times; V plays U once in between.
  const games = [
    game(0, "T", "U", 20, 10, "X", "Y"),
    game(168 * HOUR, "U", "V", 17, 14, "Y", "W"),
    game(336 * HOUR, "T", "U", 3, 30, "X", "Y"),
    game(504 * HOUR, "U", "T", 21, 7, "Y", "Z"),
  ];
  const epa = (gi: number, home: number, away: number): TeamGameEpa[] => {
    const g = games[gi]!;
    return [
      { gameId: g.gameId, team: g.homeTeam, epa: home, epaAgainst: away },
      { gameId: g.gameId, team: g.awayTeam, epa: away, epaAgainst: home },
    ];
  };
  // Game 3 has no EPA (a gap upstream).
  const rows = [...epa(0, 8, -2), ...epa(1, 4, 6), ...epa(2, -5, 12)];
  const res = epaResiduals(games, rows, 2);

  it("is each offence's EPA minus what the other defence allowed before this game", () => {
    // Nothing allowed yet: the raw EPA.
    expect(res(games[0]!)).toEqual([8, -2]);
    // U allowed 8 (to T) before game 1; V allowed nothing yet.
    expect(res(games[1]!)).toEqual([4 - 0, 6 - 8]);
    // U allowed 8 and 6 over its last two games; T allowed -2.
    expect(res(games[2]!)).toEqual([-5 - 7, 12 - -2]);
  });

  it("never uses a game's own EPA or a later game's for its residuals", () => {
    const altered = rows.map((r) => (r.gameId === games[2]!.gameId ? { ...r, epa: 99, epaAgainst: 99 } : r));
    const again = epaResiduals(games, altered, 2);
    expect(again(games[0]!)).toEqual(res(games[0]!));
    expect(again(games[1]!)).toEqual(res(games[1]!));
  });

  it("rates no QB for a game without EPA, though the start still counts for the team", () => {
    expect(res(games[3]!)).toBeNull();
    const qb = runQbValues(games, res, 4 * HOUR, P);
    const later = 1000 * HOUR;
    // Z's only start has no EPA: he keeps the prior, and T's last two starters are X then Z.
    expect(qb.valueAt("Z", later)).toBe(-6);
    expect(qb.baselineAt("T", later)).toBeCloseTo((qb.valueAt("X", later) + -6) / 2, 12);
    // X: residuals 8 then -12, a 1/n mean of -2 over two starts, shrunk toward -6.
    expect(qb.valueAt("X", later)).toBeCloseTo((-2 * 2 - 6 * 16) / 18, 12);
  });
});
