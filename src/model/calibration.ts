import { NflPredError } from "../domain/index.ts";
import { logit, meanLogLoss, sigmoid } from "./numeric.ts";

export type CalibratorKind = "none" | "platt" | "isotonic";

export interface PlattParams {
  /** Calibrated p = sigmoid(a + b * logit(p)). */
  readonly a: number;
  readonly b: number;
}

export interface IsotonicParams {
  /** Knots: mean raw probability and mean outcome of each pooled block, x ascending. */
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export type CalibratorParams = Record<string, never> | PlattParams | IsotonicParams;

/** A fitted probability-to-probability map; `params` is plain JSON for `restoreCalibrator`. */
export interface Calibrator {
  readonly kind: CalibratorKind;
  readonly params: CalibratorParams;
  apply(p: ArrayLike<number>): Float64Array;
}

const ISOTONIC_CLIP = 1e-4;

/**
 * Exact maximum-likelihood fit of P(y) = sigmoid(a + b x) by Newton with step halving (soft labels and
 * weights allowed). A constant x gives b = 0; separable data stop after `maxIter` with large |b|.
 * @example fitLogistic1D(logitOfP, y).b // 1 for a perfectly calibrated forecaster
 */
export function fitLogistic1D(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
  maxIter = 100,
): { a: number; b: number; converged: boolean } {
  const n = x.length;
  if (y.length !== n || (weights !== undefined && weights.length !== n)) {
    throw new NflPredError("MODEL", "fitLogistic1D: x, y and weights must have the same length");
  }
  let sw = 0;
  let swy = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    sw += w;
    swy += w * y[i]!;
    lo = Math.min(lo, x[i]!);
    hi = Math.max(hi, x[i]!);
  }
  if (!(sw > 0)) throw new NflPredError("NO_DATA", "fitLogistic1D: no rows with positive weight");
  let a = logit(swy / sw, 1e-12);
  let b = 0;
  if (!(hi > lo)) return { a, b, converged: true };
  const loss = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = a + b * x[i]!;
      const sp = e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e));
      s += (weights === undefined ? 1 : weights[i]!) * (sp - y[i]! * e);
    }
    return s;
  };
  let current = loss(a, b);
  for (let iter = 0; iter < maxIter; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 0;
    let hab = 0;
    let hbb = 0;
    for (let i = 0; i < n; i++) {
      const w = weights === undefined ? 1 : weights[i]!;
      const xi = x[i]!;
      const mu = sigmoid(a + b * xi);
      const r = w * (mu - y[i]!);
      const s = w * mu * (1 - mu);
      ga += r;
      gb += r * xi;
      haa += s;
      hab += s * xi;
      hbb += s * xi * xi;
    }
    if (Math.max(Math.abs(ga), Math.abs(gb)) <= 1e-12 * sw) return { a, b, converged: true };
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    const tiny = da * ga + db * gb < 1e-12 * (1 + Math.abs(current));
    let t = 1;
    let moved = false;
    for (let k = 0; k < 40; k++, t /= 2) {
      const next = loss(a - t * da, b - t * db);
      if (tiny || next <= current) {
        a -= t * da;
        b -= t * db;
        current = next;
        moved = true;
        break;
      }
    }
    if (!moved || Math.max(Math.abs(t * da), Math.abs(t * db)) < 1e-14 * (1 + Math.abs(a) + Math.abs(b))) {
      return { a, b, converged: moved };
    }
  }
  return { a, b, converged: false };
}

/** The identity calibrator. */
export function identityCalibrator(): Calibrator {
  return { kind: "none", params: {}, apply: (p) => Float64Array.from(p) };
}

function plattCalibrator(params: PlattParams): Calibrator {
  const { a, b } = params;
  return { kind: "platt", params, apply: (p) => Float64Array.from(p, (v) => sigmoid(a + b * logit(v))) };
}

/** Platt scaling: a 1-D logistic regression on logit(p), fitted exactly. */
export function fitPlatt(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
): Calibrator {
  const { a, b } = fitLogistic1D(
    Float64Array.from(p, (v) => logit(v)),
    y,
    weights,
  );
  return plattCalibrator({ a, b });
}

function isotonicCalibrator(params: IsotonicParams): Calibrator {
  const { x, y } = params;
  const clip = (v: number) => Math.min(Math.max(v, ISOTONIC_CLIP), 1 - ISOTONIC_CLIP);
  const at = (v: number) => {
    if (Number.isNaN(v)) return v;
    if (v <= x[0]!) return clip(y[0]!);
    const last = x.length - 1;
    if (v >= x[last]!) return clip(y[last]!);
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid]! <= v) lo = mid;
      else hi = mid;
    }
    const f = (v - x[lo]!) / (x[hi]! - x[lo]!);
    return clip(y[lo]! + f * (y[hi]! - y[lo]!));
  };
  return { kind: "isotonic", params, apply: (p) => Float64Array.from(p, at) };
}

/**
 * Isotonic regression by pool-adjacent-violators; predictions interpolate linearly between block means
 * and are clipped to [1e-4, 1 - 1e-4] so log loss stays finite.
 */
export function fitIsotonic(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
): Calibrator {
  const n = p.length;
  if (y.length !== n || n === 0) throw new NflPredError("MODEL", "fitIsotonic needs equal, non-zero lengths");
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => p[i]! - p[j]! || i - j);
  const sw: number[] = [];
  const sx: number[] = [];
  const sy: number[] = [];
  let previous = Number.NaN;
  for (const i of order) {
    const w = weights === undefined ? 1 : weights[i]!;
    if (!(w > 0)) continue;
    const xi = p[i]!;
    if (xi === previous) {
      // Equal raw probabilities must share one level: the row joins the block holding its twin.
      const top = sw.length - 1;
      sw[top]! += w;
      sx[top]! += w * xi;
      sy[top]! += w * y[i]!;
    } else {
      sw.push(w);
      sx.push(w * xi);
      sy.push(w * y[i]!);
    }
    previous = xi;
    while (sw.length > 1) {
      const k = sw.length - 1;
      // Equal neighbours pool too, so every block is maximal and knots strictly increase.
      if (sy[k - 1]! / sw[k - 1]! < sy[k]! / sw[k]!) break;
      sw[k - 1]! += sw[k]!;
      sx[k - 1]! += sx[k]!;
      sy[k - 1]! += sy[k]!;
      sw.pop();
      sx.pop();
      sy.pop();
    }
  }
  if (sw.length === 0) throw new NflPredError("NO_DATA", "fitIsotonic: no rows with positive weight");
  return isotonicCalibrator({ x: sx.map((s, k) => s / sw[k]!), y: sy.map((s, k) => s / sw[k]!) });
}

/** Rebuilds a calibrator from its JSON form. */
export function restoreCalibrator(kind: string, params: unknown): Calibrator {
  const p = params as Record<string, unknown> | null;
  switch (kind) {
    case "none":
      return identityCalibrator();
    case "platt":
      if (typeof p?.a !== "number" || typeof p.b !== "number") break;
      return plattCalibrator({ a: p.a, b: p.b });
    case "isotonic":
      if (!Array.isArray(p?.x) || !Array.isArray(p.y) || p.x.length === 0 || p.x.length !== p.y.length) break;
      return isotonicCalibrator({ x: p.x as number[], y: p.y as number[] });
  }
  throw new NflPredError("MODEL", `cannot restore calibrator '${kind}' from its params`, { value: kind });
}

export interface CalibratorChoice {
  readonly calibrator: Calibrator;
  /**
   * Mean log loss of each candidate on the held-out set, cross-fitted over interleaved folds of it:
   * scored in-sample, isotonic would always win by memorising the set.
   */
  readonly losses: Readonly<Record<CalibratorKind, number>>;
}

/**
 * Picks none, Platt or isotonic by cross-fitted log loss on held-out predictions, then fits the winner
 * on the whole held-out set. Ties go to the simpler candidate.
 * @example const { calibrator, losses } = chooseCalibrator(pValidation, yValidation)
 */
export function chooseCalibrator(
  pHeldOut: ArrayLike<number>,
  yHeldOut: ArrayLike<number>,
  options: { readonly folds?: number } = {},
): CalibratorChoice {
  const n = pHeldOut.length;
  if (yHeldOut.length !== n) throw new NflPredError("MODEL", "chooseCalibrator: p and y lengths differ");
  if (n === 0) throw new NflPredError("NO_DATA", "chooseCalibrator needs held-out predictions");
  const folds = Math.min(options.folds ?? 5, n);
  const fitters = { platt: fitPlatt, isotonic: fitIsotonic } as const;
  const crossFitted = (fitter: typeof fitPlatt) => {
    if (folds < 2) return Number.POSITIVE_INFINITY;
    const out = new Float64Array(n);
    for (let k = 0; k < folds; k++) {
      const trainIdx: number[] = [];
      const testIdx: number[] = [];
      for (let i = 0; i < n; i++) (i % folds === k ? testIdx : trainIdx).push(i);
      const c = fitter(
        trainIdx.map((i) => pHeldOut[i]!),
        trainIdx.map((i) => yHeldOut[i]!),
      );
      const q = c.apply(testIdx.map((i) => pHeldOut[i]!));
      testIdx.forEach((i, j) => {
        out[i] = q[j]!;
      });
    }
    return meanLogLoss(out, yHeldOut);
  };
  const losses = {
    none: meanLogLoss(pHeldOut, yHeldOut),
    platt: crossFitted(fitters.platt),
    isotonic: crossFitted(fitters.isotonic),
  };
  let chosen: CalibratorKind = "none";
  if (losses.platt < losses[chosen]) chosen = "platt";
  if (losses.isotonic < losses[chosen]) chosen = "isotonic";
  const calibrator = chosen === "none" ? identityCalibrator() : fitters[chosen](pHeldOut, yHeldOut);
  return { calibrator, losses };
}
