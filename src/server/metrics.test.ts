import { describe, expect, it } from "vitest";
import { byPhase, bySeason, reliabilityOf, type ScoredGame, scoreOf, weeklyCurves } from "./metrics.ts";

const g = (
  week: number,
  y: number,
  model: number,
  elo: number | null,
  market: number | null,
): ScoredGame => ({
  season: 2024,
  week,
  y,
  model,
  elo,
  market,
});

describe("dashboard metrics", () => {
  const games = [
    g(1, 1, 0.8, 0.6, null),
    g(1, 0, 0.3, 0.5, 0.4),
    g(2, 1, 0.6, null, 0.7),
    g(3, 0, 0.9, 0.4, 0.2),
  ];

  it("scores each source on the games where it has a probability", () => {
    const model = scoreOf(games, "model")!;
    expect(model.n).toBe(4);
    // (0.2² + 0.3² + 0.4² + 0.9²) / 4 by hand.
    expect(model.brier).toBeCloseTo((0.04 + 0.09 + 0.16 + 0.81) / 4, 12);
    expect(model.accuracy).toBeCloseTo(0.75, 12);
    const market = scoreOf(games, "market")!;
    expect(market.n).toBe(3);
    expect(market.brier).toBeCloseTo((0.16 + 0.09 + 0.04) / 3, 12);
    expect(market.log_loss).toBeCloseTo(-(Math.log(0.6) + Math.log(0.7) + Math.log(0.8)) / 3, 12);
    expect(scoreOf([], "model")).toBeNull();
  });

  it("season-to-date accumulates; rolling keeps only the last k weeks", () => {
    const curves = weeklyCurves(games, 2);
    expect(curves.map((c) => c.week)).toEqual([1, 2, 3]);
    expect(curves.map((c) => c.n)).toEqual([2, 1, 1]);
    expect(curves[2]!.season_to_date.model!.n).toBe(4);
    expect(curves[2]!.rolling.model!.n).toBe(2);
    expect(curves[2]!.rolling.model!.brier).toBeCloseTo((0.16 + 0.81) / 2, 12);
    expect(curves[1]!.rolling.elo!.n).toBe(2);
    expect(curves[0]!.season_to_date.market!.n).toBe(1);
  });

  it("groups by season and bins without NaN", () => {
    const two = [...games, { ...g(1, 1, 0.55, 0.5, 0.5), season: 2023 }];
    expect(bySeason(two).map((s) => [s.season, s.model?.n])).toEqual([
      [2023, 1],
      [2024, 4],
    ]);
    const bins = reliabilityOf(games);
    expect(bins).toHaveLength(10);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(4);
    expect(bins[0]!.mean_predicted).toBeNull();
    expect(bins[8]).toMatchObject({ count: 1, mean_predicted: 0.8, observed_rate: 1 });
    expect(JSON.stringify(bins)).not.toContain("NaN");
  });

  it("splits by phase in season order, with a slope below 1 where a source is too confident", () => {
    // Weeks 1-4: the model says 90% / 10% where the home team wins 70% / 30%; Elo says 70% / 30%.
    const early = Array.from({ length: 40 }, (_, i) => {
      const strong = i < 20;
      const y = strong ? Number(i < 14) : Number(i < 26);
      return {
        ...g(1 + (i % 4), y, strong ? 0.9 : 0.1, strong ? 0.7 : 0.3, null),
        phase: "weeks 1-4" as const,
      };
    });
    const playoff = { ...g(19, 1, 0.6, 0.55, 0.58), phase: "playoffs" as const };
    const unknown = g(10, 0, 0.5, 0.5, null);
    const rows = byPhase([playoff, ...early, unknown]);
    expect(rows.map((r) => [r.phase, r.model?.n])).toEqual([
      ["weeks 1-4", 40],
      ["playoffs", 1],
    ]);
    const first = rows[0]!;
    expect(first.slope.model!.value).toBeCloseTo(Math.log(0.7 / 0.3) / Math.log(0.9 / 0.1), 4);
    expect(first.slope.model!.se).toBeGreaterThan(0);
    expect(first.slope.elo!.value).toBeCloseTo(1, 4);
    expect(first.slope.market).toBeNull();
    expect(first.model!.brier).toBeGreaterThan(first.elo!.brier);
  });
});
