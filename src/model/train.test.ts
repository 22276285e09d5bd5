import { describe, expect, it } from "vitest";
import { normalFrom } from "../../test/helpers/random.ts";
import { isNflPredError } from "../domain/index.ts";
import {
  chooseL2,
  createRng,
  matrixFromColumns,
  type TrainData,
  type TrainSettings,
  takeRows,
  trainCalibrated,
} from "./index.ts";

/** 40 weeks of 16 games: margin = 0.04 * elo_diff + 2 * rest_diff + N(0, 13^2), y its sign. */
function season(seed: number): TrainData {
  const u = createRng(seed);
  const normal = normalFrom(u);
  const rows = 40 * 16;
  const elo: number[] = [];
  const rest: (number | null)[] = [];
  const noise: number[] = [];
  const margins = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    elo.push(120 * normal());
    rest.push(u() < 0.1 ? null : Math.round(2 * normal()));
    noise.push(normal());
    margins[i] = Math.round(0.04 * elo[i]! + 2 * (rest[i] ?? 0) + 13 * normal());
    y[i] = margins[i]! > 0 ? 1 : margins[i]! < 0 ? 0 : 0.5;
  }
  return {
    X: matrixFromColumns({ elo_diff: elo, rest_diff: rest, noise }),
    y,
    groups: Int32Array.from({ length: rows }, (_, i) => Math.floor(i / 16)),
    margins,
  };
}

const settings: TrainSettings = {
  learner: "margin",
  seed: 3,
  l2: 1,
  cvFolds: 4,
  calibrationWeeks: 4,
  holdoutWeeks: 4,
};

function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s -= y[i]! * Math.log(p[i]!) + (1 - y[i]!) * Math.log(1 - p[i]!);
  return s / p.length;
}

describe("training with the margin learner", () => {
  const data = season(8);

  it("trainCalibrated gives a margin model with probabilities in (0, 1) that beat the base rate", () => {
    const out = trainCalibrated(data, settings);
    expect(out.model.kind).toBe("margin");
    expect(out.holdout).not.toBeNull();
    const { p } = out.holdout!;
    expect(p.length).toBe(4 * 16);
    for (const v of p) expect(v > 0 && v < 1).toBe(true);
    for (const fold of out.cv) for (const v of fold.p) expect(v > 0 && v < 1).toBe(true);
    for (const v of out.calibrator.apply(out.model.predict(data.X))) expect(v > 0 && v < 1).toBe(true);
    const cvP = out.cv.flatMap((f) => Array.from(f.p));
    const cvY = out.cv.flatMap((f) => Array.from(f.y));
    const rate = cvY.reduce((s, v) => s + v, 0) / cvY.length;
    expect(logLoss(cvP, cvY)).toBeLessThan(logLoss(new Float64Array(cvY.length).fill(rate), cvY) - 0.02);
  });

  it("trainCalibrated without margins stops with the margin learner's error", () => {
    const { margins: _, ...noMargins } = data;
    let error: unknown;
    try {
      trainCalibrated(noMargins, settings);
    } catch (e) {
      error = e;
    }
    expect(isNflPredError(error) && error.code === "MODEL" && /FitOptions\.margins/.test(error.message)).toBe(
      true,
    );
  });

  it("a short window trains with one week per fold; too short a one stops with NO_DATA", () => {
    const weeks = (n: number): TrainData => {
      const idx = Array.from(data.groups.keys()).filter((i) => data.groups[i]! < n);
      return {
        X: takeRows(data.X, idx),
        y: data.y.slice(0, idx.length),
        groups: data.groups.slice(0, idx.length),
        margins: data.margins!.slice(0, idx.length),
      };
    };
    // Eight weeks with five folds asked for: four testable weeks, so four folds of one week.
    const short = { ...settings, cvFolds: 5, calibrationWeeks: 0, holdoutWeeks: 0 };
    const out = trainCalibrated(weeks(8), short);
    expect(out.cv.map((f) => f.p.length)).toEqual([16, 16, 16, 16]);
    expect(Object.keys(chooseL2(weeks(8), short, [1, 10]).losses)).toEqual(["1", "10"]);
    for (const attempt of [() => trainCalibrated(weeks(3), short), () => chooseL2(weeks(3), short, [1])]) {
      expect(attempt).toThrow(
        "training needs at least 4 weeks of completed games (0 holdout + 0 calibration + 4 to fit), found 3",
      );
    }
  });

  it("chooseL2 scores the margin learner's own ridge penalties", () => {
    const grid = [0.1, 30, 1e7];
    const { l2, losses } = chooseL2(data, settings, grid);
    expect(Object.keys(losses).sort()).toEqual(grid.map(String).sort());
    for (const v of Object.values(losses)) expect(Number.isFinite(v)).toBe(true);
    expect(losses[String(l2)]).toBe(Math.min(...Object.values(losses)));
    // The penalty reaches the fits: each candidate scores differently.
    expect(new Set(Object.values(losses)).size).toBe(grid.length);
    // Scored with the margin learner, not the logistic one.
    const logistic = chooseL2(data, { ...settings, learner: "logistic" }, grid);
    for (const k of grid.map(String)) expect(logistic.losses[k]).not.toBe(losses[k]);
  });
});
