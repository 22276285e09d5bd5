import { describe, expect, it } from "vitest";
import {
  createRng,
  type GbmParams,
  gbmLearner,
  type Matrix,
  matrixFromColumns,
  matrixFromRows,
  restoreModel,
  type TreeArrays,
} from "./index.ts";

/** Path-dependent conditional expectation of one tree given the features in `known` (the TreeSHAP game). */
function conditional(tree: TreeArrays, x: readonly number[], known: ReadonlySet<number>, node = 0): number {
  const f = tree.feature[node]!;
  if (f < 0) return tree.value[node]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  if (known.has(f)) {
    const v = x[f]!;
    const left = Number.isNaN(v) ? tree.missingLeft[node] === 1 : v <= tree.threshold[node]!;
    return conditional(tree, x, known, left ? l : r);
  }
  const c = tree.cover[node]!;
  return (
    (tree.cover[l]! / c) * conditional(tree, x, known, l) +
    (tree.cover[r]! / c) * conditional(tree, x, known, r)
  );
}

/** Shapley values by enumerating every coalition. */
function bruteForceShapley(trees: readonly TreeArrays[], x: readonly number[]): number[] {
  const M = x.length;
  const v = (mask: number) => {
    const known = new Set<number>();
    for (let j = 0; j < M; j++) if (mask & (1 << j)) known.add(j);
    return trees.reduce((s, t) => s + conditional(t, x, known), 0);
  };
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let j = 0; j < M; j++) if (mask & (1 << j)) size++;
      const weight = (factorial(size) * factorial(M - size - 1)) / factorial(M);
      phi[i]! += weight * (v(mask | (1 << i)) - v(mask));
    }
  }
  return phi;
}

/** A depth-3 tree that splits on feature 0 twice on one path and sends NaN both ways. */
const handmade: TreeArrays = {
  //        0:f0<=0.5     1:f1<=0      2:f0<=2      3:f0<=0.1   4:leaf  5:f2<=1  6:leaf  7:leaf 8:leaf 9:leaf 10:leaf
  feature: [0, 1, 0, 0, -1, 2, -1, -1, -1, -1, -1],
  threshold: [0.5, 0, 2, 0.1, 0, 1, 0, 0, 0, 0, 0],
  left: [1, 3, 5, 7, -1, 9, -1, -1, -1, -1, -1],
  right: [2, 4, 6, 8, -1, 10, -1, -1, -1, -1, -1],
  missingLeft: [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  value: [0, 0, 0, 0, 0.7, 0, -1.1, 0.3, -0.4, 2.2, -0.6],
  cover: [40, 22, 18, 12, 10, 13, 5, 4, 8, 6, 7],
};

describe("TreeSHAP", () => {
  const model = restoreModel("gbm", ["f0", "f1", "f2", "f3"], {
    settings: {},
    baseScore: -0.25,
    trees: [handmade],
  } as unknown as GbmParams);

  it("equals brute-force Shapley values on a hand-built tree with a repeated feature and NaN", () => {
    const rows = [
      [0.3, -1, 0.5, 9],
      [0.05, 2, 3, 9],
      [1.5, Number.NaN, 0.2, 0],
      [3, 0.5, Number.NaN, 1],
      [Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    ];
    const X = matrixFromRows(
      rows.map((r) => r.map((v) => (Number.isNaN(v) ? null : v))),
      model.features,
    );
    const { base, values } = model.contributions!(X);
    rows.forEach((x, i) => {
      const expected = bruteForceShapley([handmade], x);
      expected.forEach((e, j) => {
        expect(values[i * 4 + j]).toBeCloseTo(e, 12);
      });
      expect(values[i * 4 + 3]).toBe(0);
      expect(base[i]).toBeCloseTo(-0.25 + conditional(handmade, x, new Set()), 12);
    });
  });

  it("equals brute-force Shapley values on a small trained ensemble", () => {
    const rng = createRng(21);
    const cols = {
      a: [] as (number | null)[],
      b: [] as number[],
      c: [] as number[],
      d: [] as number[],
      e: [] as number[],
    };
    const y = new Float64Array(300);
    for (let i = 0; i < 300; i++) {
      const a = rng() < 0.15 ? null : rng() * 2 - 1;
      const b = rng() * 2 - 1;
      cols.a.push(a);
      cols.b.push(b);
      cols.c.push(rng());
      cols.d.push(Math.floor(rng() * 3));
      cols.e.push(rng());
      y[i] = rng() < 1 / (1 + Math.exp(-(2 * (a ?? 0.8) * b + cols.d[i]! - 1))) ? 1 : 0;
    }
    const X = matrixFromColumns(cols);
    const fitted = gbmLearner({ nEstimators: 4, maxDepth: 4, learningRate: 0.5 }).fit(X, y, { seed: 2 });
    const params = fitted.params as GbmParams;
    const { values } = fitted.contributions!(X);
    for (let i = 0; i < 25; i++) {
      const x = Array.from({ length: 5 }, (_, j) => X.data[i * 5 + j]!);
      bruteForceShapley(params.trees, x).forEach((e, j) => {
        expect(values[i * 5 + j]).toBeCloseTo(e, 11);
      });
    }
  });
});

function interactionData(
  seed: number,
  rows: number,
  cols: number,
  missing = 0.05,
): { X: Matrix; y: Float64Array } {
  const rng = createRng(seed);
  const data = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = rng() < missing ? Number.NaN : rng() * 2 - 1;
    const a = data[i * cols] ?? 0;
    const b = data[i * cols + 1] ?? 0;
    // XOR-like interaction; a missing first feature means a likely home win.
    const eta = Number.isNaN(a) ? 2 : Number.isNaN(b) ? 0 : 3 * Math.sign(a * b);
    y[i] = rng() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return { X: { rows, cols, data, names: Array.from({ length: cols }, (_, j) => `f${j}`) }, y };
}

describe("gbm", () => {
  it("has contributions that add up to the raw logit on every row", () => {
    const { X, y } = interactionData(5, 800, 8, 0.1);
    const model = gbmLearner({ nEstimators: 50, maxDepth: 4 }).fit(X, y, { seed: 1 });
    const { base, values } = model.contributions!(X);
    const p = model.predict(X);
    for (let i = 0; i < X.rows; i++) {
      let s = base[i]!;
      for (let j = 0; j < X.cols; j++) s += values[i * X.cols + j]!;
      expect(Math.abs(s - Math.log(p[i]! / (1 - p[i]!)))).toBeLessThan(1e-9);
    }
  });

  it("learns an interaction and a default direction for NaN", () => {
    const { X, y } = interactionData(6, 3000, 4);
    const model = gbmLearner({ nEstimators: 100, maxDepth: 3, learningRate: 0.1 }).fit(X, y, { seed: 1 });
    const probe = matrixFromRows(
      [
        [0.5, 0.5, 0, 0],
        [0.5, -0.5, 0, 0],
        [null, 0.5, 0, 0],
        [null, -0.5, 0, 0],
      ],
      X.names,
    );
    const [same, opposite, nan1, nan2] = model.predict(probe);
    expect(same).toBeGreaterThan(0.8);
    expect(opposite).toBeLessThan(0.2);
    expect(nan1).toBeGreaterThan(0.75);
    expect(nan2).toBeGreaterThan(0.75);
  });

  it("depends on the seed only through row subsampling", () => {
    const { X, y } = interactionData(7, 500, 5);
    const paramsFor = (seed: number, subsample: number) =>
      JSON.stringify(gbmLearner({ nEstimators: 20, subsample }).fit(X, y, { seed }).params);
    expect(paramsFor(1, 0.7)).toBe(paramsFor(1, 0.7));
    expect(paramsFor(1, 0.7)).not.toBe(paramsFor(2, 0.7));
    expect(paramsFor(1, 1)).toBe(paramsFor(2, 1));
  });

  it("respects maxDepth, minChildWeight and the bin count", () => {
    const { X, y } = interactionData(8, 1000, 3);
    const params = gbmLearner({ nEstimators: 10, maxDepth: 2, minChildWeight: 20, maxBins: 8 }).fit(X, y, {
      seed: 1,
    }).params;
    const depth = (t: TreeArrays, n = 0): number =>
      t.feature[n]! < 0 ? 0 : 1 + Math.max(depth(t, t.left[n]!), depth(t, t.right[n]!));
    const thresholds = new Map<number, Set<number>>();
    for (const t of params.trees) {
      expect(depth(t)).toBeLessThanOrEqual(2);
      t.feature.forEach((f, n) => {
        if (f < 0) expect(t.cover[n]).toBeGreaterThanOrEqual(20);
        else thresholds.set(f, (thresholds.get(f) ?? new Set()).add(t.threshold[n]!));
      });
    }
    for (const s of thresholds.values()) expect(s.size).toBeLessThanOrEqual(7);
  });

  it("trains 3000 rows x 60 features x 200 trees (time printed, not asserted)", () => {
    const { X, y } = interactionData(9, 3000, 60);
    const t0 = performance.now();
    const model = gbmLearner({ nEstimators: 200, maxDepth: 3, maxBins: 32 }).fit(X, y, { seed: 1 });
    const ms = performance.now() - t0;
    console.log(`gbm 3000 x 60 x 200 trees fit: ${ms.toFixed(0)} ms`);
    expect(model.params.trees.length).toBe(200);
  });
});
