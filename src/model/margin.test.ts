import { describe, expect, it } from "vitest";
import { seededNormals } from "../../test/helpers/random.ts";
import { isNflPredError } from "../domain/index.ts";
import {
  createRng,
  logisticLearner,
  type MarginParams,
  marginFromParams,
  marginLearner,
  matrixFromColumns,
  restoreModel,
  serializeModel,
} from "./index.ts";

/** Solves A x = b by Gaussian elimination with partial pivoting (A is k x k, row arrays). */
function gaussSolve(A: number[][], b: number[]): number[] {
  const k = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[pivot]![c]!)) pivot = r;
    [M[c], M[pivot]] = [M[pivot]!, M[c]!];
    for (let r = c + 1; r < k; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let j = c; j <= k; j++) M[r]![j]! -= f * M[c]![j]!;
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let r = k - 1; r >= 0; r--) {
    let s = M[r]![k]!;
    for (let j = r + 1; j < k; j++) s -= M[r]![j]! * x[j]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

function coefficient(params: MarginParams, feature: string, kind: "value" | "missing" = "value"): number {
  return params.coef.find((c) => c.feature === feature && c.kind === kind)!.value;
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Two correlated features on different scales, a margin linear in them plus noise, y = sign of it. */
function linearData(seed: number, rows: number) {
  const z = seededNormals(seed);
  const u = createRng(seed + 1);
  const a: number[] = [];
  const b: number[] = [];
  const margins = new Float64Array(rows);
  const y = new Float64Array(rows);
  const weights = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    a.push(50 + 20 * z());
    b.push((0.3 * a[i]!) / 20 + z());
    margins[i] = 0.2 * (a[i]! - 50) - 4 * b[i]! + 1.5 + 10 * z();
    y[i] = margins[i]! > 0 ? 1 : margins[i]! < 0 ? 0 : 0.5;
    weights[i] = 0.25 + 2 * u();
  }
  return { X: matrixFromColumns({ a, b }), margins, y, weights };
}

describe("margin learner: the ridge fit", () => {
  const { X, margins, y, weights } = linearData(21, 60);

  it.each([
    ["unweighted", undefined],
    ["weighted", weights],
  ] as const)("with l2 = 0 equals least squares solved independently (%s)", (_name, w) => {
    const model = marginLearner({ l2: 0 }).fit(
      X,
      y,
      w === undefined ? { seed: 1, margins } : { seed: 1, margins, weights: w },
    );
    // Normal equations on the raw, unstandardised design [1, a, b].
    const A = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const rhs = [0, 0, 0];
    for (let i = 0; i < X.rows; i++) {
      const row = [1, X.data[i * 2]!, X.data[i * 2 + 1]!];
      const wi = w === undefined ? 1 : w[i]!;
      for (let r = 0; r < 3; r++) {
        rhs[r]! += wi * row[r]! * margins[i]!;
        for (let c = 0; c < 3; c++) A[r]![c]! += wi * row[r]! * row[c]!;
      }
    }
    const [b0, ba, bb] = gaussSolve(A, rhs);
    expect(Math.abs(model.params.intercept - b0!)).toBeLessThan(1e-9);
    expect(Math.abs(coefficient(model.params, "a") - ba!)).toBeLessThan(1e-9);
    expect(Math.abs(coefficient(model.params, "b") - bb!)).toBeLessThan(1e-9);

    let sw = 0;
    let sse = 0;
    for (let i = 0; i < X.rows; i++) {
      const wi = w === undefined ? 1 : w[i]!;
      const fit = b0! + ba! * X.data[i * 2]! + bb! * X.data[i * 2 + 1]!;
      sw += wi;
      sse += wi * (margins[i]! - fit) ** 2;
    }
    expect(model.params.residualSd).toBeCloseTo(Math.sqrt(sse / sw), 9);
  });

  it("shrinks the coefficients toward zero as l2 grows, leaving the intercept at the mean margin", () => {
    const meanMargin = margins.reduce((s, v) => s + v, 0) / margins.length;
    const norms = [0, 0.5, 2, 10, 50, 300, 5000].map((l2) => {
      const { params } = marginLearner({ l2 }).fit(X, y, { seed: 1, margins });
      // Standardised columns have mean 0, so the unpenalised intercept is the mean margin for every l2.
      expect(params.interceptStd).toBeCloseTo(meanMargin, 9);
      return Math.hypot(...params.coefStd);
    });
    for (let k = 1; k < norms.length; k++) expect(norms[k]!).toBeLessThan(norms[k - 1]!);
    expect(norms[norms.length - 1]!).toBeLessThan(0.02 * norms[0]!);
  });

  it("tends, as l2 grows, to the direction of each column's covariance with the margin", () => {
    // (Z'Z + l2 I)^-1 Z'm -> Z'm / l2: only the direction survives, and the link refits the scale.
    const { params } = marginLearner({ l2: 1e9 }).fit(X, y, { seed: 1, margins });
    const cov = params.columns.map((c) => {
      let s = 0;
      for (let i = 0; i < X.rows; i++) s += ((X.data[i * 2 + c.feature]! - c.center) / c.scale) * margins[i]!;
      return s;
    });
    const dot = cov[0]! * params.coefStd[0]! + cov[1]! * params.coefStd[1]!;
    expect(dot / (Math.hypot(...cov) * Math.hypot(...params.coefStd))).toBeGreaterThan(1 - 1e-9);
    expect(params.linkSlope).toBeGreaterThan(1e3);
  });

  it("solves the penalised normal equations: zero gradient at the solution", () => {
    const l2 = 7;
    const { params } = marginLearner({ l2 }).fit(X, y, { seed: 1, margins, weights });
    const { columns, coefStd, interceptStd } = params;
    const z = (i: number, k: number) =>
      (X.data[i * 2 + columns[k]!.feature]! - columns[k]!.center) / columns[k]!.scale;
    const grad = new Float64Array(3);
    for (let i = 0; i < X.rows; i++) {
      const r = weights[i]! * (interceptStd + coefStd[0]! * z(i, 0) + coefStd[1]! * z(i, 1) - margins[i]!);
      grad[0]! += r;
      grad[1]! += r * z(i, 0);
      grad[2]! += r * z(i, 1);
    }
    grad[1]! += l2 * coefStd[0]!;
    grad[2]! += l2 * coefStd[1]!;
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-8);
  });

  it("fits the link by weighted maximum likelihood on the in-sample predicted margins", () => {
    const model = marginFromParams(X.names, marginLearner().fit(X, y, { seed: 1, margins, weights }).params);
    const m = model.predictMargin(X);
    const p = model.predict(X);
    const { linkIntercept, linkSlope } = model.params;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < X.rows; i++) {
      expect(p[i]).toBeCloseTo(1 / (1 + Math.exp(-(linkIntercept + linkSlope * m[i]!))), 14);
      ga += weights[i]! * (p[i]! - y[i]!);
      gb += weights[i]! * (p[i]! - y[i]!) * m[i]!;
    }
    expect(Math.abs(ga)).toBeLessThan(1e-9);
    expect(Math.abs(gb)).toBeLessThan(1e-7);
    expect(linkSlope).toBeGreaterThan(0);
  });
});

describe("margin learner: missing values, contributions, JSON", () => {
  const r = seededNormals(5);
  const u = createRng(6);
  const rows = 300;
  const a: number[] = [];
  const b: (number | null)[] = [];
  const margins = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    a.push(r());
    b.push(u() < 0.25 ? null : 2 + r());
    margins[i] = Math.round(4 * a[i]! + (b[i] === null ? 3 : -2 * (b[i]! - 2)) + 5 * r());
    y[i] = margins[i]! > 0 ? 1 : margins[i]! < 0 ? 0 : 0.5;
  }
  const X = matrixFromColumns({ a, b, flat: new Array(rows).fill(1), gone: new Array(rows).fill(null) });
  const model = marginLearner({ l2: 3 }).fit(X, y, { seed: 2, margins });
  const Xtest = matrixFromColumns({
    a: [0.5, null, -1, 2],
    b: [null, 1.5, 2, null],
    flat: [1, 1, 9, null],
    gone: [null, 4, null, null],
  });

  it("imputes NaN, adds a missing indicator, and drops constant and all-missing features", () => {
    expect(model.params.columns.map((c) => `${X.names[c.feature]}:${c.kind}`)).toEqual([
      "a:value",
      "b:value",
      "b:missing",
    ]);
    // Missing b means about +3 points against a median b's 0: the indicator picks that up.
    expect(coefficient(model.params, "b", "missing")).toBeGreaterThan(1);
    for (const v of model.predict(Xtest)) expect(Number.isFinite(v) && v > 0 && v < 1).toBe(true);
  });

  it("uses exactly the logistic learner's design columns", () => {
    const logistic = logisticLearner({ l2: 3 }).fit(X, y, { seed: 2 });
    expect(model.params.medians).toEqual(logistic.params.medians);
    expect(model.params.columns).toEqual(logistic.params.columns);
  });

  it("has contributions that sum to logit(p) and give dropped features nothing", () => {
    for (const data of [X, Xtest]) {
      const p = model.predict(data);
      const { base, values } = model.contributions!(data);
      for (let i = 0; i < data.rows; i++) {
        let s = base[i]!;
        for (let j = 0; j < 4; j++) s += values[i * 4 + j]!;
        expect(Math.abs(s - Math.log(p[i]! / (1 - p[i]!)))).toBeLessThan(1e-9);
        expect(values[i * 4 + 2]).toBe(0);
        expect(values[i * 4 + 3]).toBe(0);
      }
    }
  });

  it("round-trips through JSON to identical predictions", () => {
    const json = JSON.parse(JSON.stringify(serializeModel(model)));
    expect(json.kind).toBe("margin");
    const restored = restoreModel(json.kind, json.features, json.params);
    expect(Array.from(restored.predict(Xtest))).toEqual(Array.from(model.predict(Xtest)));
    expect(Array.from(restored.predict(X))).toEqual(Array.from(model.predict(X)));
    const { linkSlope: _, ...broken } = json.params;
    const error = errorOf(() => restoreModel("margin", json.features, broken));
    expect(isNflPredError(error) && error.code === "MODEL" && /linkSlope/.test(error.message)).toBe(true);
  });

  it("refuses to fit without a finite margin per row", () => {
    for (const opts of [
      { seed: 1 },
      { seed: 1, margins: margins.subarray(1) },
      { seed: 1, margins: Float64Array.from(margins, (v, i) => (i === 9 ? Number.NaN : v)) },
    ]) {
      const error = errorOf(() => marginLearner().fit(X, y, opts));
      expect(isNflPredError(error) && error.code === "MODEL").toBe(true);
      expect((error as Error).message).toMatch(
        /^the margin learner needs each row's point margin \(FitOptions\.margins\)/,
      );
    }
  });

  it("rejects a negative l2", () => {
    expect(() => marginLearner({ l2: -1 })).toThrow(/l2 must be >= 0/);
  });
});

describe("margin learner on simulated games", () => {
  // margin = 3 * x1 + N(0, 13^2): P(home win | x1) = Phi(3 x1 / 13) ~ sigmoid(1.6-1.7 * 3 x1 / 13).
  const rows = 6000;
  const r = seededNormals(77);
  const x1: number[] = [];
  const x2: number[] = [];
  const margins = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    x1.push(3 * r());
    x2.push(r());
    margins[i] = 3 * x1[i]! + 13 * r();
    y[i] = margins[i]! > 0 ? 1 : 0;
  }
  const X = matrixFromColumns({ x1, x2 });
  const model = marginFromParams(X.names, marginLearner({ l2: 1 }).fit(X, y, { seed: 1, margins }).params);

  it("recovers the points per unit of the feature and the noise level", () => {
    // Standard error of the slope: 13 / (3 * sqrt(6000)) ~ 0.056.
    expect(Math.abs(coefficient(model.params, "x1") - 3)).toBeLessThan(0.25);
    expect(Math.abs(coefficient(model.params, "x2"))).toBeLessThan(0.6);
    expect(Math.abs(model.params.intercept)).toBeLessThan(0.6);
    expect(Math.abs(model.params.residualSd - 13)).toBeLessThan(0.6);
  });

  it("has a link slope near the normal approximation 1.6/13 and an intercept near 0", () => {
    expect(model.params.linkSlope).toBeGreaterThan(0.1);
    expect(model.params.linkSlope).toBeLessThan(0.145);
    expect(Math.abs(model.params.linkIntercept)).toBeLessThan(0.1);
  });

  it("predicts a 3-point favourite near Phi(3/13) ~ 0.59", () => {
    const p = model.predict(matrixFromColumns({ x1: [1, 0, -1], x2: [0, 0, 0] }));
    expect(Math.abs(p[0]! - 0.591)).toBeLessThan(0.03);
    expect(Math.abs(p[1]! - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(p[2]! - 0.409)).toBeLessThan(0.03);
  });
});
