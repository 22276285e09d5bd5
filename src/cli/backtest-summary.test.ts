import { describe, expect, it } from "vitest";
import { seasonPhase } from "../domain/index.ts";
import { summarize } from "./commands/backtest.ts";
import type { BacktestRow } from "./walk-forward.ts";

describe("summarize", () => {
  const row = (
    season: number,
    week: number,
    pModel: number,
    label: number,
    gameType = "REG",
  ): BacktestRow => ({
    gameId: `${season}_${week}_${pModel}`,
    season,
    week,
    phase: seasonPhase(week, gameType),
    label,
    pModel,
    pElo: 0.5,
    pMarket: null,
    modelId: "m",
  });
  const rows = [
    row(2020, 1, 0.6, 1),
    row(2020, 3, 0.4, 1),
    row(2021, 12, 0.7, 0),
    row(2021, 19, 0.5, 0.5, "WC"),
  ];
  const brier = (scope: string) => summarize(rows).find((r) => r.scope === scope && r.source === "model");

  it("scores each phase on its own games (ties count 0.5)", () => {
    expect(brier("weeks 1-4")).toMatchObject({ n: 2, brier_score: (0.16 + 0.36) / 2 });
    expect(brier("weeks 10+")).toMatchObject({ n: 1, brier_score: 0.49 });
    expect(brier("playoffs")).toMatchObject({ n: 1, brier_score: 0 });
    expect(brier("weeks 5-9")).toBeUndefined();
  });

  it("lists overall, then seasons in order, then the phases present, without market rows when no line exists", () => {
    const scopes = [...new Set(summarize(rows).map((r) => r.scope))];
    expect(scopes).toEqual(["overall", "2020", "2021", "weeks 1-4", "weeks 10+", "playoffs"]);
    expect(summarize(rows).some((r) => r.source === "market")).toBe(false);
    expect(brier("overall")?.n).toBe(4);
  });

  it("gives a slope below 1 to probabilities too far from 0.5, and a bias to a home lean", () => {
    // 40 games whose true home-win rate is 0.7 when the model says 0.9 and 0.3 when it says 0.1.
    const games = Array.from({ length: 40 }, (_, i) =>
      i < 20 ? row(2022, 1 + (i % 4), 0.9, Number(i < 14)) : row(2022, 1 + (i % 4), 0.1, Number(i < 26)),
    );
    const [model] = summarize(games).filter((r) => r.scope === "overall" && r.source === "model");
    // Recalibrated, logit 0.9 (2.197) maps to logit 0.7 (0.847): slope 0.847 / 2.197.
    expect(model!.slope).toBeCloseTo(Math.log(0.7 / 0.3) / Math.log(0.9 / 0.1), 4);
    expect(model!.bias).toBeCloseTo(0, 6);
    // 40 games pin a slope down only roughly.
    expect(model!.slope_se).toBeGreaterThan(0.1);
    expect(model!.slope_se).toBeLessThan(0.5);
    const leaning = summarize(games.map((g) => ({ ...g, pModel: Math.min(0.95, g.pModel + 0.05) })));
    expect(leaning.find((r) => r.scope === "overall" && r.source === "model")!.bias).toBeCloseTo(0.05, 6);
  });
});
