import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createRng, type LogisticParams, logisticLearner, matrixFromColumns, sigmoid } from "./index.ts";

const golden = new URL("../../test/golden/", import.meta.url);

function readMtcars() {
  const [header, ...lines] = readFileSync(new URL("mtcars_am_hp_wt.csv", golden), "utf8").trim().split("\n");
  expect(header).toBe("am,hp,wt");
  const rows = lines.map((l) => l.split(",").map(Number));
  return {
    y: Float64Array.from(rows, (r) => r[0]!),
    X: matrixFromColumns({ hp: rows.map((r) => r[1]!), wt: rows.map((r) => r[2]!) }),
  };
}

/** Equal to `digits` significant digits. */
function expectSignificant(actual: number, expected: number, digits = 4): void {
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(expected))) - digits + 1);
  expect(Math.round(actual / scale)).toBe(Math.round(expected / scale));
}

function coefficient(params: LogisticParams, feature: string): number {
  return params.coef.find((c) => c.feature === feature && c.kind === "value")!.value;
}

describe("logistic golden: glm(am ~ hp + wt, binomial) on mtcars", () => {
  const json = JSON.parse(readFileSync(new URL("mtcars_glm.json", golden), "utf8"));
  const { X, y } = readMtcars();
  const model = logisticLearner({ l2: 0 }).fit(X, y, { seed: 1 });

  it("the independent numpy fit agrees with R's published coefficients", () => {
    for (const k of ["(Intercept)", "hp", "wt"]) expectSignificant(json.coefficients[k], json.r_published[k]);
  });

  it("reproduces the coefficients on the original scale to 4 significant digits", () => {
    expect(model.params.converged).toBe(true);
    expectSignificant(model.params.intercept, json.coefficients["(Intercept)"]);
    expectSignificant(coefficient(model.params, "hp"), json.coefficients.hp);
    expectSignificant(coefficient(model.params, "wt"), json.coefficients.wt);
    // Much tighter than the 4 digits asked for: both are exact solutions of the same likelihood.
    expect(Math.abs(model.params.intercept - json.coefficients["(Intercept)"])).toBeLessThan(1e-6);
  });

  it("reproduces the residual deviance", () => {
    const p = model.predict(X);
    let dev = 0;
    p.forEach((q, i) => {
      dev -= 2 * (y[i]! * Math.log(q) + (1 - y[i]!) * Math.log(1 - q));
    });
    expect(dev).toBeCloseTo(json.residual_deviance, 8);
  });

  it("original-scale coefficients give the same logits as the model", () => {
    const p = model.predict(X);
    for (let i = 0; i < X.rows; i++) {
      const eta =
        model.params.intercept +
        coefficient(model.params, "hp") * X.data[i * 2]! +
        coefficient(model.params, "wt") * X.data[i * 2 + 1]!;
      expect(sigmoid(eta)).toBeCloseTo(p[i]!, 12);
    }
  });
});

function noisyData(seed: number, rows: number) {
  const rng = createRng(seed);
  const a: number[] = [];
  const b: (number | null)[] = [];
  const c: number[] = [];
  const y = new Float64Array(rows);
  const weights = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    a.push(rng() * 4 - 2);
    b.push(rng() < 0.2 ? null : rng() * 10);
    c.push(7);
    const p = sigmoid(0.9 * a[i]! - 0.1 * (b[i] ?? 5));
    y[i] = rng() < 0.05 ? 0.5 : rng() < p ? 1 : 0;
    weights[i] = 0.5 + rng();
  }
  return { X: matrixFromColumns({ a, b, c, gone: new Array(rows).fill(null) }), y, weights };
}

describe("logistic with l2 > 0", () => {
  const { X, y, weights } = noisyData(4, 500);
  const l2 = 2.5;
  const model = logisticLearner({ l2 }).fit(X, y, { seed: 1, weights });
  const { columns, medians, coefStd, interceptStd } = model.params;

  it("builds median-imputed value columns, missing indicators, and drops constant / all-missing features", () => {
    expect(columns.map((c) => `${X.names[c.feature]}:${c.kind}`)).toEqual([
      "a:value",
      "b:value",
      "b:missing",
    ]);
    const observed = Array.from({ length: X.rows }, (_, i) => X.data[i * 4 + 1]!)
      .filter((v) => !Number.isNaN(v))
      .sort((u, v) => u - v);
    const mid = observed.length / 2;
    expect(medians[1]).toBe(
      observed.length % 2 ? observed[Math.floor(mid)] : (observed[mid - 1]! + observed[mid]!) / 2,
    );
  });

  it("has a zero gradient of the penalised objective at the solution", () => {
    // Recomputed here from the raw data: sum w (p - y) z + l2 * beta, intercept unpenalised.
    const z = (i: number, k: number) => {
      const c = columns[k]!;
      const v = X.data[i * X.cols + c.feature]!;
      const t = c.kind === "value" ? (Number.isNaN(v) ? medians[c.feature]! : v) : Number.isNaN(v) ? 1 : 0;
      return (t - c.center) / c.scale;
    };
    const grad = new Float64Array(columns.length + 1);
    for (let i = 0; i < X.rows; i++) {
      let eta = interceptStd;
      for (let k = 0; k < columns.length; k++) eta += coefStd[k]! * z(i, k);
      const r = weights[i]! * (sigmoid(eta) - y[i]!);
      grad[0]! += r;
      for (let k = 0; k < columns.length; k++) grad[k + 1]! += r * z(i, k);
    }
    for (let k = 0; k < columns.length; k++) grad[k + 1]! += l2 * coefStd[k]!;
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-8);
    // The penalty is really active: an unpenalised fit differs.
    const free = logisticLearner({ l2: 0 }).fit(X, y, { seed: 1, weights });
    expect(Math.abs(free.params.coefStd[0]! - coefStd[0]!)).toBeGreaterThan(1e-3);
  });

  it("has exact contributions: coefficient times distance from the mean, base at the mean", () => {
    const { base, values } = model.contributions!(X);
    const p = model.predict(X);
    const a = model.params.coef.find((c) => c.feature === "a")!.value;
    for (let i = 0; i < X.rows; i++) {
      expect(base[i]).toBe(interceptStd);
      expect(values[i * 4]).toBeCloseTo(a * (X.data[i * 4]! - columns[0]!.center), 12);
      expect(values[i * 4 + 2]).toBe(0);
      expect(values[i * 4 + 3]).toBe(0);
      const sum = base[i]! + values[i * 4]! + values[i * 4 + 1]! + values[i * 4 + 2]! + values[i * 4 + 3]!;
      expect(sum).toBeCloseTo(Math.log(p[i]! / (1 - p[i]!)), 10);
    }
  });

  it("imputes the training median for a feature that had no NaN in training", () => {
    const X2 = matrixFromColumns({ a: [null, 0.3], b: [1, null], c: [7, 7], gone: [null, null] });
    for (const v of model.predict(X2)) expect(Number.isFinite(v)).toBe(true);
  });
});

describe("logistic speed", () => {
  it("fits 200k x 40 to convergence (time printed, not asserted)", () => {
    const rows = 200_000;
    const cols = 40;
    const rng = createRng(7);
    const data = new Float64Array(rows * cols);
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let eta = 0;
      for (let j = 0; j < cols; j++) {
        const v = rng() * 2 - 1;
        data[i * cols + j] = v;
        eta += (j % 5 === 0 ? 0.8 : 0.05) * v;
      }
      y[i] = rng() < sigmoid(eta) ? 1 : 0;
    }
    const X = { rows, cols, data, names: Array.from({ length: cols }, (_, j) => `f${j}`) };
    const t0 = performance.now();
    const model = logisticLearner().fit(X, y, { seed: 1 });
    const ms = performance.now() - t0;
    console.log(`logistic 200k x 40 fit: ${ms.toFixed(0)} ms, ${model.params.iterations} Newton steps`);
    expect(model.params.converged).toBe(true);
    expect(coefficientOf(model.params, "f0")).toBeCloseTo(0.8, 1);
  });
});

function coefficientOf(params: LogisticParams, feature: string): number {
  return params.coef.find((c) => c.feature === feature)!.value;
}
