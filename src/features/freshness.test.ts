import { describe, expect, it } from "vitest";
import { playedGame } from "../../test/helpers/games.ts";
import { RESULTS_LOOKBACK_MS, unscoredBefore } from "./freshness.ts";

const HOUR = 3_600_000;
const DELAY = 4 * HOUR;
const asOf = Date.parse("2026-11-29T12:00:00Z");
const game = (id: string, kickoff: number, scored: boolean) =>
  playedGame({
    gameId: id,
    homeTeam: "KC",
    awayTeam: "BUF",
    homeScore: scored ? 20 : null,
    awayScore: scored ? 17 : null,
    kickoff,
  });

describe("unscoredBefore", () => {
  it("finds games whose results are due by asOf but missing, oldest first", () => {
    const games = [
      game("late", asOf - DELAY, false), // exactly due
      game("early", asOf - 30 * 24 * HOUR, false),
      game("scored", asOf - 10 * 24 * HOUR, true),
      game("not-due", asOf - DELAY + 1, false), // kicked off, but its result is not visible yet
      game("future", asOf + HOUR, false),
    ];
    expect(unscoredBefore(games, asOf, { postGameDelayMs: DELAY }).map((g) => g.gameId)).toEqual([
      "early",
      "late",
    ]);
  });

  it("looks back only lookbackMs, by default further than an offseason", () => {
    const games = [game("old", asOf - 300 * 24 * HOUR, false), game("recent", asOf - 230 * 24 * HOUR, false)];
    expect(RESULTS_LOOKBACK_MS).toBeGreaterThan(215 * 24 * HOUR);
    expect(unscoredBefore(games, asOf, { postGameDelayMs: DELAY }).map((g) => g.gameId)).toEqual(["recent"]);
    expect(unscoredBefore(games, asOf, { postGameDelayMs: DELAY, lookbackMs: 100 * 24 * HOUR })).toEqual([]);
  });

  it("counts a game with only one score as missing", () => {
    const half = { ...game("half", asOf - 48 * HOUR, true), awayScore: null };
    expect(unscoredBefore([half], asOf, { postGameDelayMs: DELAY })).toHaveLength(1);
  });
});
