import { describe, expect, it } from "vitest";
import {
  countInSample,
  type EvalGame,
  inSampleByModel,
  judgePromotion,
  type ModelScore,
  promotionAllowed,
  selectEvaluationGames,
} from "./promotion.ts";

const DAY = 86_400_000;

function season(year: number, weeks: number, perWeek = 2): EvalGame[] {
  const start = Date.UTC(year, 8, 8);
  const out: EvalGame[] = [];
  for (let w = 1; w <= weeks; w++) {
    for (let k = 0; k < perWeek; k++) {
      out.push({
        gameId: `${year}_${w}_${k}`,
        season: year,
        week: w,
        kickoff: start + (w - 1) * 7 * DAY + k * 3600_000,
      });
    }
  }
  return out;
}

describe("selectEvaluationGames", () => {
  const games = [...season(2022, 18), ...season(2023, 10)];
  const kick = (id: string) => new Date(games.find((g) => g.gameId === id)!.kickoff).toISOString();

  it("prefers the latest weeks after both training windows", () => {
    const set = selectEvaluationGames(
      games,
      [
        { seasons: [2022], lastKickoff: kick("2022_18_1") },
        { seasons: [2022, 2023], lastKickoff: kick("2023_4_1") },
      ],
      3,
    );
    expect(set.outOfSample).toBe(true);
    expect(set.weeks).toEqual(["2023-08", "2023-09", "2023-10"]);
    expect(set.games.map((g) => g.gameId)).toEqual([
      "2023_8_0",
      "2023_8_1",
      "2023_9_0",
      "2023_9_1",
      "2023_10_0",
      "2023_10_1",
    ]);
  });

  it("takes fewer weeks when fewer have been played since, and flags in-sample when none have", () => {
    const recent = selectEvaluationGames(games, [{ seasons: [2023], lastKickoff: kick("2023_9_1") }], 4);
    expect(recent).toMatchObject({ outOfSample: true, weeks: ["2023-10"] });
    const none = selectEvaluationGames(games, [{ seasons: [2023], lastKickoff: kick("2023_10_1") }], 2);
    expect(none).toMatchObject({ outOfSample: false, weeks: ["2023-09", "2023-10"] });
    expect(countInSample(none.games, { seasons: [2023], lastKickoff: kick("2023_10_1") })).toBe(4);
    expect(countInSample(none.games, { seasons: [2022], lastKickoff: kick("2022_18_1") })).toBe(0);
  });

  it("orders weeks by season first (week 2 of a later season is later than week 17)", () => {
    const set = selectEvaluationGames(games, [], 1);
    expect(set.weeks).toEqual(["2023-10"]);
  });
});

describe("judgePromotion", () => {
  const evaluation = { games: season(2023, 1), outOfSample: true, weeks: ["2023-01"] };
  const score = (o: Partial<ModelScore>): ModelScore => ({
    modelId: "m",
    n: 2,
    brier: 0.2,
    slope: 1,
    slopeSe: 0.3,
    meanPHome: 0.55,
    inSample: 0,
    ...o,
  });

  it("passes a better, calibrated candidate and fails a worse one", () => {
    const ok = judgePromotion({
      candidate: score({ brier: 0.2 }),
      production: score({ modelId: "p", brier: 0.21 }),
      evaluation,
    });
    expect(ok.every((c) => c.ok)).toBe(true);
    const worse = judgePromotion({
      candidate: score({ brier: 0.22 }),
      production: score({ modelId: "p", brier: 0.21 }),
      evaluation,
    });
    expect(worse.find((c) => c.name.startsWith("Brier"))?.ok).toBe(false);
    expect(promotionAllowed(worse, false)).toBe(false);
    expect(promotionAllowed(worse, true)).toBe(true);
  });

  it("treats an equal Brier as passing and the slope band as closed at ±0.05", () => {
    const checks = judgePromotion({
      candidate: score({ brier: 0.21, slope: 1.05 }),
      production: score({ brier: 0.21 }),
      evaluation,
    });
    expect(checks.every((c) => c.ok)).toBe(true);
    const off = judgePromotion({ candidate: score({ slope: 0.9499 }), production: null, evaluation });
    expect(off.find((c) => c.name.startsWith("reliability"))?.ok).toBe(false);
  });

  it("calls a slope miss inside two standard errors of the band inconclusive, and a wider one not", () => {
    const slope = (slope: number, slopeSe: number) =>
      judgePromotion({ candidate: score({ slope, slopeSe, n: 77 }), production: null, evaluation }).find(
        (c) => c.name.startsWith("reliability"),
      )!;
    // 77 games: s.e. 0.35, a slope of 1.13 is 0.08 outside the band.
    expect(slope(1.1344, 0.3498)).toMatchObject({
      ok: false,
      inconclusive: true,
      detail: expect.stringMatching(/within 2 s\.e\. of the band, so these games cannot tell$/),
    });
    // 3,000 games: s.e. 0.04, and 1.2 is 0.15 outside: miscalibrated.
    const wide = slope(1.2, 0.04);
    expect(wide.ok).toBe(false);
    expect(wide.inconclusive).toBeUndefined();
    expect(wide.detail).not.toMatch(/cannot tell/);
    expect(slope(1.0, 0.3).inconclusive).toBeUndefined();
  });

  it("never lets --force promote a model that cannot be scored", () => {
    const checks = judgePromotion({
      candidate: { modelId: "m", error: "trained on a different version" },
      production: null,
      evaluation,
    });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ ok: false, forceable: false });
    expect(promotionAllowed(checks, true)).toBe(false);
  });

  it("fails (forceably) without evaluation games; a production model that cannot be scored is nothing to beat", () => {
    const empty = judgePromotion({
      candidate: score({ n: 0, brier: Number.NaN, slope: Number.NaN }),
      production: null,
      evaluation: { games: [], outOfSample: false, weeks: [] },
    });
    expect(empty.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      "evaluation games",
      "Brier ≤ production",
      "reliability slope within ±0.05",
    ]);
    const broken = judgePromotion({
      candidate: score({}),
      production: { modelId: "p", error: "sha256 mismatch" },
      evaluation,
    });
    // A broken production model is nothing to beat: replacing it is the fix.
    expect(broken.find((c) => c.name.startsWith("Brier"))).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/cannot be scored \(sha256 mismatch\)/),
    });
  });
});

describe("inSampleByModel", () => {
  const at = (season: number, day: number) =>
    Date.parse(`${season}-10-${String(day).padStart(2, "0")}T17:00:00Z`);
  const game = (modelId: string, season: number, day: number) => ({
    gameId: `${season}_${day}_${modelId}`,
    season,
    week: 6,
    kickoff: at(season, day),
    modelId,
  });
  const windows: Record<string, { seasons: number[]; lastKickoff: string }> = {
    late: { seasons: [2023, 2024], lastKickoff: new Date(at(2024, 10)).toISOString() },
    early: { seasons: [2020, 2021], lastKickoff: new Date(at(2021, 10)).toISOString() },
  };

  it("counts each model's games inside its own window, leaving out unknown windows and models with none", () => {
    const games = [
      game("late", 2024, 5),
      game("late", 2024, 20),
      game("early", 2024, 5),
      game("gone", 2024, 5),
      game("late", 2024, 9),
    ];
    const out = inSampleByModel(games, (id) => windows[id]);
    expect(out.map(({ modelId, inSample, total }) => ({ modelId, inSample, total }))).toEqual([
      { modelId: "late", inSample: 2, total: 3 },
    ]);
    expect(out[0]!.window).toBe(windows.late);
  });
});
