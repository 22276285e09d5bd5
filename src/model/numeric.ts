import { NflPredError } from "../domain/index.ts";
import type { Matrix } from "./matrix.ts";

/** Logistic function, written so that large |z| neither overflows nor returns NaN. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(p / (1 - p)) after clipping p to [eps, 1 - eps]. */
export function logit(p: number, eps = 1e-15): number {
  const q = Math.min(Math.max(p, eps), 1 - eps);
  return Math.log(q / (1 - q));
}

/** log(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** A seeded PRNG (mulberry32) returning floats in [0, 1); the same seed always gives the same stream. */
export function createRng(seed: number): () => number {
  let a = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Median of finite values (mean of the two middle values for even counts). */
export function median(values: Float64Array): number {
  return medianInPlace(Float64Array.from(values));
}

/** Like `median` in O(n), but reorders `values`; for callers that own a scratch buffer. */
export function medianInPlace(values: Float64Array): number {
  const m = values.length >> 1;
  const upper = select(values, m);
  if (values.length % 2 === 1) return upper;
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** Hoare selection: puts the k-th smallest at index k (everything before it is <= it) and returns it. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const pivot = medianOf3(a[lo]!, a[mid]!, a[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

function medianOf3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Cholesky factorisation in place (lower triangle, row-major); false if A is not positive definite. */
export function choleskyFactor(a: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let m = 0; m < j; m++) d -= a[j * k + m]! * a[j * k + m]!;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let m = 0; m < j; m++) s -= a[i * k + m]! * a[j * k + m]!;
      a[i * k + j] = s / l;
    }
  }
  return true;
}

/** Solves L L' x = b in place, given the factor from `choleskyFactor`. */
export function choleskySolve(l: Float64Array, b: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let m = 0; m < i; m++) s -= l[i * k + m]! * b[m]!;
    b[i] = s / l[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let m = i + 1; m < k; m++) s -= l[m * k + i]! * b[m]!;
    b[i] = s / l[i * k + i]!;
  }
}

/** Values of `a` at the given indices. */
export function takeValues(a: Float64Array, index: ArrayLike<number>): Float64Array {
  const out = new Float64Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = a[index[i]!]!;
  return out;
}

/** Mean log loss with soft labels; p clipped to [eps, 1 - eps]. */
export function meanLogLoss(p: ArrayLike<number>, y: ArrayLike<number>, eps = 1e-15): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i]!, eps), 1 - eps);
    const t = y[i]!;
    s -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
  }
  return s / p.length;
}

/** Checks labels (0, 1 or anything in between for soft labels such as ties) and weights against X. */
export function checkTrainingInputs(X: Matrix, y: Float64Array, weights: Float64Array | undefined): void {
  if (X.rows === 0) throw new NflPredError("NO_DATA", "cannot fit a model on zero rows");
  if (y.length !== X.rows) {
    throw new NflPredError("MODEL", `label length ${y.length} does not match ${X.rows} rows`);
  }
  for (let i = 0; i < y.length; i++) {
    const t = y[i]!;
    if (!(t >= 0 && t <= 1)) {
      throw new NflPredError("MODEL", `label at row ${i} is ${t}; labels must lie in [0, 1]`);
    }
  }
  if (weights === undefined) return;
  if (weights.length !== X.rows) {
    throw new NflPredError("MODEL", `weight length ${weights.length} does not match ${X.rows} rows`);
  }
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && Number.isFinite(w))) {
      throw new NflPredError("MODEL", `weight at row ${i} is ${w}; weights must be finite and >= 0`);
    }
    total += w;
  }
  if (!(total > 0)) throw new NflPredError("MODEL", "sample weights sum to zero");
}
