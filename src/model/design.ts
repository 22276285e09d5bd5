import { NflPredError } from "../domain/index.ts";
import { columnMajor, type Matrix, selectColumns } from "./matrix.ts";
import { medianInPlace } from "./numeric.ts";

// Shared by the linear learners (logistic, margin) so both impute, drop and standardise identically and
// their params JSON describe columns the same way.

const BLOCK = 2048;

/** One design column: a feature's median-imputed value, or its missing indicator, standardised. */
export interface DesignColumn {
  readonly feature: number;
  readonly kind: "value" | "missing";
  readonly center: number;
  readonly scale: number;
}

/** A coefficient on the original (imputed, unstandardised) scale of one design column. */
export interface DesignCoefficient {
  readonly feature: string;
  readonly kind: "value" | "missing";
  readonly value: number;
}

/**
 * Design columns for `X`: per feature, its median-imputed value (unless constant or all missing) and,
 * when it has missing values, a missing indicator; each standardised to mean 0 and variance 1.
 * `byColumn` is `columnMajor(X)`.
 */
function buildColumns(X: Matrix, byColumn: Float64Array): { medians: number[]; columns: DesignColumn[] } {
  const n = X.rows;
  const medians: number[] = [];
  const columns: DesignColumn[] = [];
  const observed = new Float64Array(n);
  for (let j = 0; j < X.cols; j++) {
    const column = byColumn.subarray(j * n, (j + 1) * n);
    let count = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = column[i]!;
      if (Number.isNaN(v)) continue;
      if (!Number.isFinite(v)) {
        throw new NflPredError("MODEL", `feature '${X.names[j]}' has an infinite value at row ${i}`, {
          column: X.names[j]!,
        });
      }
      observed[count++] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += v;
    }
    if (count === 0) {
      medians.push(0);
      continue;
    }
    const values = observed.subarray(0, count);
    const med = medianInPlace(values);
    medians.push(med);
    const missing = n - count;
    // An exact min == max test: a variance threshold would let rounding noise in as a fake signal.
    if (lo !== hi) {
      const mean = (sum + missing * med) / n;
      let ss = missing * (med - mean) ** 2;
      for (let i = 0; i < count; i++) ss += (values[i]! - mean) ** 2;
      columns.push({ feature: j, kind: "value", center: mean, scale: Math.sqrt(ss / n) });
    }
    if (missing > 0) {
      const f = missing / n;
      columns.push({ feature: j, kind: "missing", center: f, scale: Math.sqrt(f * (1 - f)) });
    }
  }
  return { medians, columns };
}

/**
 * Standardised design columns, the same arithmetic at fit and predict time. Value columns are
 * standardised in place in `byColumn` (the caller's own transposed copy): large fresh allocations
 * are what dominate at 200k rows.
 */
function buildDesign(
  n: number,
  byColumn: Float64Array,
  medians: readonly number[],
  columns: readonly DesignColumn[],
): Float64Array[] {
  const view = (j: number) => byColumn.subarray(j * n, (j + 1) * n);
  const z: Float64Array[] = columns.map((c) => {
    if (c.kind === "value") return view(c.feature);
    const x = view(c.feature);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = ((Number.isNaN(x[i]!) ? 1 : 0) - c.center) / c.scale;
    return out;
  });
  columns.forEach((c, k) => {
    if (c.kind !== "value") return;
    const x = z[k]!;
    const fill = medians[c.feature]!;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      x[i] = ((Number.isNaN(v) ? fill : v) - c.center) / c.scale;
    }
  });
  return z;
}

/** The training design of `X`: its design columns and their standardised values. */
export function fitDesign(X: Matrix): { medians: number[]; columns: DesignColumn[]; z: Float64Array[] } {
  const byColumn = columnMajor(X);
  const { medians, columns } = buildColumns(X, byColumn);
  return { medians, columns, z: buildDesign(X.rows, byColumn, medians, columns) };
}

/** The design of new rows under fitted columns: the model's features of `X`, by name, then the same arithmetic. */
export function applyDesign(
  X: Matrix,
  names: readonly string[],
  medians: readonly number[],
  columns: readonly DesignColumn[],
): { rows: number; z: Float64Array[] } {
  const Xs = selectColumns(X, names);
  return { rows: Xs.rows, z: buildDesign(Xs.rows, columnMajor(Xs), medians, columns) };
}

/** eta = beta[0] + sum_k beta[k + 1] * z[k], in row blocks so each block's columns stay in cache. */
export function linearPredictor(z: readonly Float64Array[], beta: Float64Array, eta: Float64Array): void {
  const n = eta.length;
  eta.fill(beta[0]!);
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let k = 1; k < beta.length; k++) {
      const b = beta[k]!;
      const x = z[k - 1]!;
      for (let i = start; i < end; i++) eta[i]! += b * x[i]!;
    }
  }
}

/** What every linear learner stores: the design, its standardised fit, and the same fit per raw unit. */
export interface LinearDesignParams {
  readonly l2: number;
  /** Imputation value per feature (0 for a feature that was all missing in training). */
  readonly medians: readonly number[];
  readonly columns: readonly DesignColumn[];
  /** Intercept on the standardised scale (the linear predictor at the training means). */
  readonly interceptStd: number;
  readonly coefStd: readonly number[];
  /** Intercept and coefficients on the original (imputed, unstandardised) scale. */
  readonly intercept: number;
  readonly coef: readonly DesignCoefficient[];
}

/** A standardised solution [intercept, coef...] as stored params, with its per-unit twin. */
export function linearParams(
  names: readonly string[],
  l2: number,
  medians: readonly number[],
  columns: readonly DesignColumn[],
  beta: Float64Array,
): LinearDesignParams {
  const coefStd = Array.from(beta.subarray(1));
  let intercept = beta[0]!;
  const coef = columns.map((c, k) => {
    const value = coefStd[k]! / c.scale;
    intercept -= value * c.center;
    return { feature: names[c.feature]!, kind: c.kind, value };
  });
  return { l2, medians, columns, interceptStd: beta[0]!, coefStd, intercept, coef };
}

/**
 * Exact per-feature contributions of a linear predictor scaled by `scale` (1 for a logit model, the link
 * slope for a margin model): a feature's value and missing-indicator columns add up under its name.
 */
export function linearContributions(
  z: readonly Float64Array[],
  p: Pick<LinearDesignParams, "columns" | "coefStd">,
  rows: number,
  features: number,
  scale: number,
): Float64Array {
  const values = new Float64Array(rows * features);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < p.columns.length; k++) {
      values[i * features + p.columns[k]!.feature]! += scale * p.coefStd[k]! * z[k]![i]!;
    }
  }
  return values;
}
