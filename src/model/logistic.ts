import { NflPredError } from "../domain/index.ts";
import type { Contributions, FitOptions, Fitted, Learner } from "./contract.ts";
import {
  applyDesign,
  type DesignCoefficient,
  type DesignColumn,
  fitDesign,
  type LinearDesignParams,
  linearContributions,
  linearParams,
  linearPredictor,
} from "./design.ts";
import type { Matrix } from "./matrix.ts";
import { checkTrainingInputs, choleskyFactor, choleskySolve, logit, sigmoid } from "./numeric.ts";

export interface LogisticOptions {
  /** Ridge penalty lambda on standardised coefficients: loss = sum w*logloss + lambda/2 * |beta|^2. */
  readonly l2?: number;
  readonly maxIter?: number;
  /** Convergence when max |gradient| <= tol * sum(weights). */
  readonly tol?: number;
}

/** One standardised design column; the logistic name predates the shared design module. */
export type LogisticColumn = DesignColumn;

export type LogisticCoefficient = DesignCoefficient;

export interface LogisticParams extends LinearDesignParams {
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * L2-regularised logistic regression fitted exactly by Newton/IRLS. NaN is median-imputed and gets a
 * missing-indicator column; constant or all-missing features are dropped (coefficient 0).
 * @example logisticLearner({ l2: 1 }).fit(X, y, { seed: 1 }).predict(X)
 */
export function logisticLearner(options: LogisticOptions = {}): Learner<LogisticParams> {
  const l2 = options.l2 ?? 1;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-12;
  if (!(l2 >= 0)) throw new NflPredError("MODEL", `logistic l2 must be >= 0, got ${l2}`);
  return {
    kind: "logistic",
    fit(X: Matrix, y: Float64Array, opts: FitOptions) {
      checkTrainingInputs(X, y, opts.weights);
      return logisticFromParams(X.names, fitLogistic(X, y, opts.weights, l2, maxIter, tol));
    },
  };
}

const BLOCK = 2048;

/**
 * Penalised loss at `beta`, and its gradient into `g`, in one pass over the design in row blocks (each
 * block's columns are read once from memory); also leaves the linear predictor in `eta`.
 */
function evaluate(
  z: readonly Float64Array[],
  y: Float64Array,
  w: Float64Array | undefined,
  l2: number,
  beta: Float64Array,
  eta: Float64Array,
  g: Float64Array,
  r: Float64Array,
): number {
  const n = eta.length;
  const q = beta.length;
  g.fill(0);
  let loss = 0;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    eta.fill(beta[0]!, start, end);
    for (let k = 1; k < q; k++) {
      const b = beta[k]!;
      const x = z[k - 1]!;
      for (let i = start; i < end; i++) eta[i]! += b * x[i]!;
    }
    let g0 = 0;
    for (let i = start; i < end; i++) {
      const e = eta[i]!;
      const wi = w === undefined ? 1 : w[i]!;
      const u = Math.exp(-Math.abs(e));
      const mu = e >= 0 ? 1 / (1 + u) : u / (1 + u);
      loss += wi * (Math.max(e, 0) + Math.log1p(u) - y[i]! * e);
      r[i] = wi * (mu - y[i]!);
      g0 += r[i]!;
    }
    g[0]! += g0;
    for (let k = 1; k < q; k++) {
      const x = z[k - 1]!;
      let s = 0;
      for (let i = start; i < end; i++) s += r[i]! * x[i]!;
      g[k]! += s;
    }
  }
  let penalty = 0;
  for (let k = 1; k < q; k++) {
    penalty += beta[k]! ** 2;
    g[k]! += l2 * beta[k]!;
  }
  return loss + 0.5 * l2 * penalty;
}

/**
 * Hessian of the penalised loss (lower triangle). Rows go in cache-sized blocks and entries in 2x2
 * tiles: each loaded value feeds two products, which is what bounds this loop in V8.
 */
function hessian(
  z: readonly Float64Array[],
  eta: Float64Array,
  w: Float64Array | undefined,
  l2: number,
  h: Float64Array,
) {
  const n = eta.length;
  const q = z.length + 1;
  const s = new Float64Array(BLOCK);
  const u = z.map(() => new Float64Array(BLOCK));
  h.fill(0);
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    let h0 = 0;
    for (let i = 0; i < len; i++) {
      const mu = sigmoid(eta[start + i]!);
      s[i] = (w === undefined ? 1 : w[start + i]!) * mu * (1 - mu);
      h0 += s[i]!;
    }
    h[0]! += h0;
    for (let a = 1; a < q; a++) {
      const x = z[a - 1]!;
      const ua = u[a - 1]!;
      let ha = 0;
      for (let i = 0; i < len; i++) {
        ua[i] = s[i]! * x[start + i]!;
        ha += ua[i]!;
      }
      h[a * q]! += ha;
    }
    for (let a = 1; a < q; a += 2) {
      const pair = a + 1 < q;
      const u0 = u[a - 1]!;
      const u1 = pair ? u[a]! : u0;
      for (let b = 1; b <= a; b += 2) {
        const x0 = z[b - 1]!;
        if (b < a) {
          const x1 = z[b]!;
          let c00 = 0;
          let c01 = 0;
          let c10 = 0;
          let c11 = 0;
          for (let i = 0; i < len; i++) {
            const v0 = x0[start + i]!;
            const v1 = x1[start + i]!;
            const w0 = u0[i]!;
            const w1 = u1[i]!;
            c00 += w0 * v0;
            c01 += w0 * v1;
            c10 += w1 * v0;
            c11 += w1 * v1;
          }
          h[a * q + b]! += c00;
          h[a * q + b + 1]! += c01;
          if (pair) {
            h[(a + 1) * q + b]! += c10;
            h[(a + 1) * q + b + 1]! += c11;
          }
        } else {
          const x1 = pair ? z[a]! : x0;
          let c00 = 0;
          let c10 = 0;
          let c11 = 0;
          for (let i = 0; i < len; i++) {
            const v0 = x0[start + i]!;
            const w1 = u1[i]!;
            c00 += u0[i]! * v0;
            c10 += w1 * v0;
            c11 += w1 * x1[start + i]!;
          }
          h[a * q + a]! += c00;
          if (pair) {
            h[(a + 1) * q + a]! += c10;
            h[(a + 1) * q + a + 1]! += c11;
          }
        }
      }
    }
  }
  for (let k = 1; k < q; k++) h[k * q + k]! += l2;
}

interface NewtonResult {
  readonly beta: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Damped Newton on the penalised log loss. The Hessian costs n*q^2/2 against n*q for a gradient, so it
 * is refreshed only when the previous (possibly stale-Hessian) step failed to cut the gradient tenfold;
 * the optimum reached is the same, only the path is cheaper.
 */
function newton(
  z: readonly Float64Array[],
  y: Float64Array,
  w: Float64Array | undefined,
  l2: number,
  start: Float64Array,
  maxIter: number,
  tolerance: number,
): NewtonResult {
  const n = y.length;
  const q = start.length;
  const residual = new Float64Array(n);
  let beta = Float64Array.from(start);
  let eta = new Float64Array(n);
  let g = new Float64Array(q);
  let loss = evaluate(z, y, w, l2, beta, eta, g, residual);
  let nextBeta = new Float64Array(q);
  let nextEta = new Float64Array(n);
  let nextG = new Float64Array(q);
  const factor = new Float64Array(q * q);
  let refresh = true;
  let fresh = false;
  let previous = Number.POSITIVE_INFINITY;
  let iterations = 0;
  while (iterations < maxIter) {
    let gmax = 0;
    for (let k = 0; k < q; k++) gmax = Math.max(gmax, Math.abs(g[k]!));
    if (gmax <= tolerance) return { beta, iterations, converged: true };
    if (gmax > 0.1 * previous) refresh = true;
    previous = gmax;
    iterations++;
    if (refresh) {
      hessian(z, eta, w, l2, factor);
      if (!choleskyFactor(factor, q)) {
        throw new NflPredError("MODEL", "logistic Hessian is singular (separable or collinear data)", {
          hint: "use l2 > 0",
        });
      }
      refresh = false;
      fresh = true;
    }
    const step = Float64Array.from(g);
    choleskySolve(factor, step, q);
    let decrement = 0;
    for (let k = 0; k < q; k++) decrement += g[k]! * step[k]!;
    // Near the optimum the predicted decrease is below the rounding of the loss itself, so comparing
    // losses would be noise; there (Newton decrement far below 1) a full step is safe.
    const tiny = decrement < 1e-10 * (1 + Math.abs(loss));
    let t = 1;
    let accepted = false;
    for (let halving = 0; halving < 40 && !accepted; halving++) {
      if (halving > 0) t /= 2;
      for (let k = 0; k < q; k++) nextBeta[k] = beta[k]! - t * step[k]!;
      const next = evaluate(z, y, w, l2, nextBeta, nextEta, nextG, residual);
      if (tiny || next <= loss) {
        loss = next;
        accepted = true;
      }
    }
    if (!accepted) {
      // Not even a tiny step along a fresh Newton direction lowers the loss: optimal to rounding.
      if (fresh) return { beta, iterations, converged: true };
      refresh = true;
      continue;
    }
    fresh = false;
    if (t < 1) refresh = true;
    [beta, nextBeta] = [nextBeta, beta];
    [eta, nextEta] = [nextEta, eta];
    [g, nextG] = [nextG, g];
  }
  return { beta, iterations, converged: false };
}

/** Rows kept for the warm start on large inputs: a fixed stride, so no randomness is involved. */
const WARM_START_ROWS = 20_000;

function fitLogistic(
  X: Matrix,
  y: Float64Array,
  w: Float64Array | undefined,
  l2: number,
  maxIter: number,
  tol: number,
): LogisticParams {
  const n = X.rows;
  const { medians, columns, z } = fitDesign(X);
  const q = columns.length + 1;

  let sumW = 0;
  let sumWY = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    sumW += wi;
    sumWY += wi * y[i]!;
  }
  let start = new Float64Array(q);
  start[0] = logit(sumWY / sumW, 1e-10);
  const stride = Math.floor(n / WARM_START_ROWS);
  if (stride >= 3) {
    // Newton from a subsample's solution needs one full Hessian instead of three or four.
    const m = Math.ceil(n / stride);
    const pick = (a: Float64Array) => {
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) out[i] = a[i * stride]!;
      return out;
    };
    const ws = w === undefined ? undefined : pick(w);
    const warm = newton(z.map(pick), pick(y), ws, (l2 * m) / n, start, maxIter, 1e-6 * m);
    start = Float64Array.from(warm.beta);
  }
  const { beta, iterations, converged } = newton(z, y, w, l2, start, maxIter, tol * sumW);

  return { ...linearParams(X.names, l2, medians, columns, beta), iterations, converged };
}

/** Rebuilds a fitted logistic model from its JSON params (also used right after fitting). */
export function logisticFromParams(
  features: readonly string[],
  params: LogisticParams,
): Fitted<LogisticParams> {
  const names = [...features];
  const { medians, columns, coefStd, interceptStd } = params;
  const beta = Float64Array.from([interceptStd, ...coefStd]);
  return {
    kind: "logistic",
    features: names,
    params,
    predict(X: Matrix): Float64Array {
      const { rows, z } = applyDesign(X, names, medians, columns);
      const eta = new Float64Array(rows);
      linearPredictor(z, beta, eta);
      return eta.map(sigmoid);
    },
    contributions(X: Matrix): Contributions {
      const { rows, z } = applyDesign(X, names, medians, columns);
      const values = linearContributions(z, params, rows, names.length, 1);
      return { base: new Float64Array(rows).fill(interceptStd), values };
    },
  };
}
