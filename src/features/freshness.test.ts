import { describe, expect, it } from "vitest";
import { playedGame } from "../../test/helpers/games.ts";
import { describeUnscored, RESULTS_LOOKBACK_MS, unscoredBefore } from "./freshness.ts";

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

describe("describeUnscored", () => {
  const at = (id: string, day: string, season = 2026) => ({
    ...game(id, Date.parse(`${day}T17:00:00Z`), false),
    season,
  });

  it("says nothing when nothing is missing", () => {
    expect(describeUnscored([], "then")).toBeUndefined();
  });

  it("one game: its day and id", () => {
    expect(describeUnscored([at("a", "2026-11-22")], "2026-11-26T17:30:00Z")).toEqual({
      count: 1,
      detail: "1 game kicked off on 2026-11-22 before 2026-11-26T17:30:00Z with no result stored (a)",
      fix: "npx nfl-pred ingest --seasons 2026 --datasets schedules",
    });
  });

  it("many games: the first and last day, three ids, how many more, each season once", () => {
    const games = [
      at("a", "2025-12-28", 2025),
      at("b", "2026-01-04", 2025),
      at("c", "2026-09-10"),
      at("d", "2026-09-13"),
      at("e", "2026-09-14"),
    ];
    const d = describeUnscored(games, "X")!;
    expect(d.count).toBe(5);
    expect(d.detail).toBe(
      "5 games kicked off from 2025-12-28 to 2026-09-14 before X with no result stored (a, b, c and 2 more)",
    );
    expect(d.fix).toBe("npx nfl-pred ingest --seasons 2025 2026 --datasets schedules");
  });
});
