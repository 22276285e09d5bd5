import { describe, expect, it } from "vitest";
import { isNflPredError } from "../domain/index.ts";
import { GBM_DEFAULTS } from "./gbm.ts";
import { matrixFromColumns } from "./matrix.ts";
import { createRng } from "./numeric.ts";
import { nextNode } from "./treeshap.ts";
import {
  isXgboostAvailable,
  leftThreshold,
  loadXgboost,
  readXgboostModel,
  trainBooster,
  xgboostFromParams,
  xgboostLearner,
} from "./xgboost.ts";

/** The doubles around x: x itself and its neighbours up to `k` steps away. */
function around(x: number, k: number): number[] {
  const f = new Float64Array(1);
  const u = new BigInt64Array(f.buffer);
  const out = [x];
  for (const dir of [-1n, 1n]) {
    f[0] = x;
    for (let i = 0; i < k; i++) {
      u[0]! += x >= 0 ? dir : -dir;
      out.push(f[0]!);
    }
  }
  return out;
}

describe("leftThreshold: XGBoost's float32 comparison as a double threshold", () => {
  it("x <= leftThreshold(t) exactly when float32(x) < t, at the rounding boundaries", () => {
    const r = createRng(7);
    const ts = [0, 1, -1, 0.5, 3, -2.75, 1e-40, -1e-40, 123456.78, -0.017701926];
    for (let i = 0; i < 300; i++) ts.push((r() - 0.5) * 10 ** Math.floor(r() * 12 - 6));
    let checked = 0;
    for (const raw of ts) {
      const t = Math.fround(raw);
      const thr = leftThreshold(t);
      // The float32 below t, the midpoint to it, and t, each with its double neighbours.
      const below = Math.fround(thr);
      const probes = [...around(t, 3), ...around(thr, 3), ...around(below, 3), ...around((below + t) / 2, 3)];
      for (const x of probes) {
        expect(x <= thr, `t=${t} x=${x}`).toBe(Math.fround(x) < t);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8000);
  });
});

const available = isXgboostAvailable();
const TITLE = available
  ? `XGBoost ${loadXgboost().version} through the FFI`
  : "XGBoost through the FFI: SKIPPED, its C library is not installed (apt-get install libxgboost0; .ci/run does)";

describe.skipIf(!available)(TITLE, () => {
  const r = createRng(3);
  const rows = 600;
  const cols = { a: [] as (number | null)[], b: [] as (number | null)[], c: [] as (number | null)[] };
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = r() * 4 - 2;
    const b = Math.round(r() * 6);
    const c = r() < 0.15 ? null : r() - 0.5;
    cols.a.push(a);
    cols.b.push(b);
    cols.c.push(c);
    y[i] = r() < 1 / (1 + Math.exp(-(1.5 * a - 0.3 * b + 2 * (c ?? 0)))) ? 1 : 0;
  }
  const X = matrixFromColumns(cols);
  const params = {
    objective: "binary:logistic",
    base_score: "0.5",
    tree_method: "hist",
    nthread: "1",
    seed: "1",
    max_depth: "3",
    eta: "0.3",
    verbosity: "0",
  };

  it("our trees take XGBoost's branches, also at every split threshold and its float32 neighbours", () => {
    const native = loadXgboost();
    const booster = trainBooster(native, X, y, undefined, params, 25);
    try {
      const { trees, baseScore } = readXgboostModel(booster.json);
      expect(trees).toHaveLength(25);
      expect(baseScore).toBe(0);
      // Probe rows: each split value and the doubles around it, in its own column, NaN elsewhere half the time.
      const probe: number[] = [];
      for (const tree of trees) {
        tree.feature.forEach((f, node) => {
          if (f < 0) return;
          const t = Math.fround(tree.threshold[node]!);
          for (const x of [...around(tree.threshold[node]!, 2), ...around(t, 2)]) {
            const row = [0, 1, 2].map((j) =>
              j === f ? x : probe.length % 2 === 0 ? Number.NaN : r() * 4 - 2,
            );
            probe.push(...row);
          }
        });
      }
      const data = Float64Array.from([...X.data, ...probe]);
      const n = data.length / 3;
      const leaves = booster.predict(data, n, 3, 2);
      let mismatched = 0;
      for (let i = 0; i < n; i++) {
        trees.forEach((tree, k) => {
          let node = 0;
          while (tree.feature[node]! >= 0) node = nextNode(tree, node, data[i * 3 + tree.feature[node]!]!);
          if (node !== leaves[i * trees.length + k]) mismatched++;
        });
      }
      expect(n).toBeGreaterThan(rows + 100);
      expect(mismatched).toBe(0);
    } finally {
      booster.free();
    }
  });

  it("the learner's probabilities equal XGBoost's own, to float32 precision", () => {
    const model = xgboostLearner({ nEstimators: 40, maxDepth: 3 }).fit(X, y, { seed: 9 });
    const booster = trainBooster(
      loadXgboost(),
      X,
      y,
      undefined,
      {
        ...params,
        seed: "9",
        eta: "0.05",
        max_bin: "32",
        min_child_weight: "1",
        lambda: "1",
        gamma: "0",
        subsample: "0.8",
      },
      40,
    );
    try {
      const theirs = booster.predict(X.data, X.rows, X.cols, 0);
      const ours = model.predict(X);
      let worst = 0;
      ours.forEach((p, i) => {
        worst = Math.max(worst, Math.abs(p - theirs[i]!));
      });
      expect(worst).toBeLessThan(1e-6);
      expect(new Set(Array.from(ours, (p) => p.toFixed(3))).size).toBeGreaterThan(50);
      expect(model.params.xgboost).toMatch(/^\d+\.\d+\.\d+$/);
    } finally {
      booster.free();
    }
  });

  it("our TreeSHAP contributions equal XGBoost's own (pred_contribs), missing values included", () => {
    const native = loadXgboost();
    const booster = trainBooster(native, X, y, undefined, params, 25);
    try {
      const { trees, baseScore } = readXgboostModel(booster.json);
      const ours = xgboostFromParams(X.names, {
        settings: GBM_DEFAULTS,
        xgboost: native.version,
        baseScore,
        trees,
      });
      const mine = ours.contributions!(X);
      const theirs = booster.predict(X.data, X.rows, X.cols, 4);
      expect(theirs).toHaveLength(X.rows * (X.cols + 1));
      let worst = 0;
      let missingRows = 0;
      for (let i = 0; i < X.rows; i++) {
        for (let j = 0; j < X.cols; j++) {
          worst = Math.max(worst, Math.abs(mine.values[i * X.cols + j]! - theirs[i * (X.cols + 1) + j]!));
        }
        worst = Math.max(worst, Math.abs(mine.base[i]! - theirs[i * (X.cols + 1) + X.cols]!));
        if (Number.isNaN(X.data[i * X.cols + 2]!)) missingRows++;
      }
      // XGBoost sums in float32 (the worst difference here is under 1e-6, on logits of several units).
      expect(worst).toBeLessThan(1e-5);
      expect(missingRows).toBeGreaterThan(50);
      // Not trivially equal: every column moves some row's logit.
      for (let j = 0; j < X.cols; j++) {
        let spread = 0;
        for (let i = 0; i < X.rows; i++) spread = Math.max(spread, Math.abs(mine.values[i * X.cols + j]!));
        expect(spread, X.names[j]).toBeGreaterThan(0.1);
      }
    } finally {
      booster.free();
    }
  });

  it("rejects out-of-range options by name", () => {
    expect(() => xgboostLearner({ maxDepth: 0 })).toThrow(/xgboost option maxDepth is out of range: 0/);
  });
});

describe("readXgboostModel", () => {
  const model = (baseScore: string) =>
    JSON.stringify({
      learner: {
        learner_model_param: { base_score: baseScore },
        gradient_booster: {
          model: {
            trees: [
              {
                left_children: [1, -1, -1],
                right_children: [2, -1, -1],
                split_indices: [0, 0, 0],
                split_conditions: [0.5, -0.25, 0.75],
                default_left: [1, 0, 0],
                sum_hessian: [10, 4, 6],
              },
            ],
          },
        },
      },
    });

  it("reads the trees and the base score, also in the newer one-element-list form", () => {
    for (const b of ["5E-1", "[5E-1]"]) {
      const { baseScore, trees } = readXgboostModel(model(b));
      expect(baseScore).toBe(0);
      expect(trees[0]).toMatchObject({
        feature: [0, -1, -1],
        value: [0, -0.25, 0.75],
        missingLeft: [1, 0, 0],
      });
      expect(trees[0]!.threshold[0]).toBe(leftThreshold(0.5));
    }
    expect(readXgboostModel(model("7.5E-1")).baseScore).toBeCloseTo(Math.log(3), 12);
  });

  it("rejects a base score that is not a probability, and text that is not JSON", () => {
    expect(() => readXgboostModel(model("abc"))).toThrow(/base score 'abc' is not a probability/);
    expect(() => readXgboostModel("{")).toThrow(/not JSON/);
  });
});

describe("XGBoost missing", () => {
  it("says which library it could not load and how to install it", () => {
    const X = matrixFromColumns({ a: [1, 2, 3, 4] });
    let error: unknown;
    try {
      xgboostLearner({ library: "/nonexistent/libxgboost.so" }).fit(X, Float64Array.of(0, 1, 0, 1), {
        seed: 1,
      });
    } catch (e) {
      error = e;
    }
    expect(isNflPredError(error) && error.code === "MODEL").toBe(true);
    expect((error as Error).message).toMatch(
      /cannot load the XGBoost library \(\/nonexistent\/libxgboost\.so: /,
    );
    expect(isNflPredError(error) && error.hint).toMatch(/apt-get install libxgboost0.*--model gbm/);
  });
});
