import { describe, expect, it } from "vitest";
import {
  buildReliabilityTable,
  buildReportMetrics,
  buildWeeklySeries,
  findBaselineBrier,
  findWeeksPlayed,
  type GameOutcome,
  selectWindows,
} from "./index.ts";

const g = (
  season: number,
  week: number,
  pHome: number,
  label: number,
  id = `${season}_${week}_${pHome}`,
) => ({
  season,
  week,
  gameId: id,
  pHome,
  label,
});

/** Hand-rolled Brier, independent of the code under test. */
const brier = (games: readonly GameOutcome[]) =>
  games.reduce((s, x) => s + (x.pHome - x.label) ** 2, 0) / games.length;

// Season 2024: weeks 1, 2, 3, 5, 6 played (no predictions in week 4), a tie in week 5; one 2023 game.
const games: GameOutcome[] = [
  g(2023, 18, 0.6, 1),
  g(2024, 1, 0.8, 1),
  g(2024, 1, 0.3, 1),
  g(2024, 2, 0.55, 0),
  g(2024, 3, 0.4, 0),
  g(2024, 5, 0.7, 0.5),
  g(2024, 5, 0.2, 0),
  g(2024, 6, 0.9, 1),
  g(2024, 7, 0.5, 1),
];

describe("report windows", () => {
  it("weeks played skip weeks without completed predictions and stop at the week", () => {
    expect(findWeeksPlayed(games, 2024, 6)).toEqual([1, 2, 3, 5, 6]);
    expect(findWeeksPlayed(games, 2024, 4)).toEqual([1, 2, 3]);
  });

  it("rolling 4 is the last four weeks played, season to date everything up to the week", () => {
    const w = selectWindows(games, 2024, 6, 4);
    expect(w.map((x) => x.metricWindow)).toEqual(["season_to_date", "rolling_4", "week"]);
    expect(w[0]!.weeks).toEqual([1, 2, 3, 5, 6]);
    expect(w[1]!.weeks).toEqual([2, 3, 5, 6]);
    expect(w[2]!.weeks).toEqual([6]);
    expect(w[0]!.games.length).toBe(7);
    expect(w[1]!.games.some((x) => x.week === 7 || x.season === 2023)).toBe(false);
  });

  it("scores ties as 0.5 and splits favourite / underdog by the home side's probability", () => {
    const rows = buildReportMetrics(games, 2024, 6);
    const std = (segment: string) =>
      rows.find((r) => r.metricWindow === "season_to_date" && r.segment === segment)!;
    const season = games.filter((x) => x.season === 2024 && x.week <= 6);
    expect(std("all").n).toBe(7);
    expect(std("all").brierScore).toBeCloseTo(brier(season), 14);
    const fav = season.filter((x) => x.pHome >= 0.5);
    const dog = season.filter((x) => x.pHome < 0.5);
    expect(std("favourite").n).toBe(fav.length);
    expect(std("favourite").brierScore).toBeCloseTo(brier(fav), 14);
    expect(std("underdog").brierScore).toBeCloseTo(brier(dog), 14);
    // The tie (p 0.7, y 0.5) contributes 0.04 and half a correct pick.
    const week5 = buildReportMetrics(games, 2024, 5).find(
      (r) => r.metricWindow === "week" && r.segment === "all",
    )!;
    expect(week5.brierScore).toBeCloseTo((0.04 + 0.04) / 2, 14);
    expect(week5.accuracy).toBeCloseTo((0.5 + 1) / 2, 14);
    expect(week5.logLoss).toBeCloseTo((-0.5 * Math.log(0.7 * 0.3) - Math.log(0.8)) / 2, 12);
  });

  it("a week without games has empty windows and NaN metrics, not an error", () => {
    const week4 = buildReportMetrics(games, 2024, 4).find(
      (r) => r.metricWindow === "week" && r.segment === "all",
    )!;
    expect(week4.n).toBe(0);
    expect(week4.brierScore).toBeNaN();
  });

  it("reliability has ten bins per window and segment whose counts add up to the sample", () => {
    const rel = buildReliabilityTable(games, 2024, 6);
    expect(rel.length).toBe(3 * 3 * 10);
    const std = rel.filter((r) => r.metricWindow === "season_to_date" && r.segment === "all");
    expect(std.reduce((s, r) => s + r.count, 0)).toBe(7);
    expect(std.find((r) => r.bin === 9)!.count).toBe(1);
    expect(std.find((r) => r.bin === 9)!.observedRate).toBe(1);
  });

  it("the weekly series gives each week played its own, rolling and season-to-date Brier", () => {
    const s = buildWeeklySeries(games, 2024, 6, 2);
    expect(s.map((p) => p.week)).toEqual([1, 2, 3, 5, 6]);
    expect(s[0]!.rollingComplete).toBe(false);
    expect(s[1]!.rollingComplete).toBe(true);
    const wk = (w: number[]) => games.filter((x) => x.season === 2024 && w.includes(x.week));
    expect(s[3]!.weekly.brierScore).toBeCloseTo(brier(wk([5])), 14);
    expect(s[3]!.rolling.brierScore).toBeCloseTo(brier(wk([3, 5])), 14);
    expect(s[3]!.seasonToDate.brierScore).toBeCloseTo(brier(wk([1, 2, 3, 5])), 14);
  });
});

describe("baseline Brier", () => {
  it("is this season's weeks 1..3 once past them", () => {
    const b = findBaselineBrier(games, 2024, 6, 3)!;
    expect(b.brier).toBeCloseTo(brier(games.filter((x) => x.season === 2024 && x.week <= 3)), 14);
    expect(b.n).toBe(4);
    expect(b.source).toBe("season 2024 weeks 1-3");
  });

  it("falls back to the previous season before that, and is undefined without either", () => {
    const b = findBaselineBrier(games, 2024, 3, 3)!;
    expect(b.source).toMatch(/season 2023/);
    expect(b.brier).toBeCloseTo(0.16, 14);
    expect(findBaselineBrier(games, 2022, 10, 3)).toBeUndefined();
  });
});
