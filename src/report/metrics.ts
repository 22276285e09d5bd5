import { NflPredError } from "../domain/index.ts";
import { fitLogistic1D, logit, meanLogLoss } from "../model/index.ts";

function checkPair(p: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (p.length !== y.length) {
    throw new NflPredError("MODEL", `${what}: ${p.length} probabilities but ${y.length} labels`);
  }
}

/**
 * Mean squared error of probabilities against labels (0, 1, or 0.5 for a tie); NaN for no rows.
 * @example brierScore([0.8, 0.4, 0.1], [1, 0, 0]) // 0.07
 */
export function brierScore(p: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(p, y, "brierScore");
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / p.length;
}

/**
 * Standard error of the Brier score with games as independent draws: how far the score of another sample
 * of the same size could land. One postseason (13 games) reads as about ±0.03, a season as ±0.01.
 * @example brierStandardError([0.8, 0.4, 0.1], [1, 0, 0]) // 0.0458…
 */
export function brierStandardError(p: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(p, y, "brierStandardError");
  const n = p.length;
  if (n < 2) return Number.NaN;
  const d = Float64Array.from({ length: n }, (_, i) => (p[i]! - y[i]!) ** 2);
  const mean = d.reduce((a, v) => a + v, 0) / n;
  const variance = d.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return Math.sqrt(variance / n);
}

/**
 * Mean log loss -(y ln p + (1 - y) ln(1 - p)) with soft labels; p is clipped to [eps, 1 - eps].
 * @example logLoss([0.8, 0.4, 0.1], [1, 0, 0]) // 0.2797765635793423
 */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>, eps = 1e-15): number {
  checkPair(p, y, "logLoss");
  return meanLogLoss(p, y, eps);
}

/**
 * Share of correct picks: p >= 0.5 picks home (label 1); a tie (label 0.5) counts as half right.
 * @example accuracy([0.7, 0.3, 0.5], [1, 1, 0.5]) // 0.5
 */
export function accuracy(p: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(p, y, "accuracy");
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const t = y[i]!;
    s += t === 0.5 ? 0.5 : (p[i]! >= 0.5 ? 1 : 0) === t ? 1 : 0;
  }
  return s / p.length;
}

export interface ReliabilityBin {
  readonly bin: number;
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** NaN for an empty bin (JSON writes it as null; Vega-Lite filters it out). */
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/**
 * Equal-width probability bins over [0, 1] with the mean forecast and observed rate in each; bin k holds
 * lower <= p < upper, the last bin also p = 1.
 * @example reliabilityBins(p, y, 10)[7] // { bin: 7, lower: 0.7, upper: 0.8, count, meanPredicted, observedRate }
 */
export function reliabilityBins(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  checkPair(p, y, "reliabilityBins");
  if (!Number.isInteger(bins) || bins < 1)
    throw new NflPredError("MODEL", `bins must be a positive integer: ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  for (let i = 0; i < p.length; i++) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor(p[i]! * bins)));
    count[k]!++;
    sumP[k]! += p[i]!;
    sumY[k]! += y[i]!;
  }
  return count.map((c, k) => ({
    bin: k,
    lower: k / bins,
    upper: (k + 1) / bins,
    count: c,
    meanPredicted: c === 0 ? Number.NaN : sumP[k]! / c,
    observedRate: c === 0 ? Number.NaN : sumY[k]! / c,
  }));
}

/**
 * Expected calibration error: |mean forecast - observed rate| per equal-width bin, weighted by count.
 * @example expectedCalibrationError(p, y) // 0.031
 */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  let s = 0;
  for (const b of reliabilityBins(p, y, bins)) {
    if (b.count > 0) s += b.count * Math.abs(b.meanPredicted - b.observedRate);
  }
  return s / p.length;
}

/**
 * Slope of the logistic recalibration y ~ a + b logit(p), fitted exactly: 1 is perfectly calibrated,
 * below 1 overconfident, above 1 underconfident.
 * @example reliabilitySlope(p, y) // 0.92
 */
export function reliabilitySlope(p: ArrayLike<number>, y: ArrayLike<number>): number {
  return slopeWithError(p, y).slope;
}

/**
 * The reliability slope (logistic recalibration of the outcome on logit p) and its standard error from
 * the fit's Fisher information, so a slope from 60 games is read as the rough estimate it is.
 */
export function slopeWithError(p: ArrayLike<number>, y: ArrayLike<number>): { slope: number; se: number } {
  checkPair(p, y, "slopeWithError");
  if (p.length === 0) return { slope: Number.NaN, se: Number.NaN };
  const x = Float64Array.from(p, (v) => logit(v));
  const { a, b } = fitLogistic1D(x, y);
  let sw = 0;
  let swx = 0;
  let swxx = 0;
  for (let i = 0; i < x.length; i++) {
    const q = 1 / (1 + Math.exp(-(a + b * x[i]!)));
    const w = q * (1 - q);
    sw += w;
    swx += w * x[i]!;
    swxx += w * x[i]! * x[i]!;
  }
  const det = sw * swxx - swx * swx;
  return { slope: b, se: det > 0 ? Math.sqrt(sw / det) : Number.NaN };
}

export interface PairedDifference {
  /** Mean Brier of A minus mean Brier of B (negative: A is better). */
  readonly diff: number;
  /** Standard error of `diff`, with rows of the same cluster (e.g. a week) treated as one draw. */
  readonly se: number;
  readonly n: number;
  readonly clusters: number;
}

/**
 * Brier of A minus Brier of B on the same games, with a cluster-robust standard error: games of one
 * week share a model and a slate, so the week (not the game) is the independent unit.
 * @example pairedBrierDifference(pModel, pElo, y, weeks) // { diff: -0.0024, se: 0.0008, … }
 */
export function pairedBrierDifference(
  pA: ArrayLike<number>,
  pB: ArrayLike<number>,
  y: ArrayLike<number>,
  cluster?: ArrayLike<string | number>,
): PairedDifference {
  checkPair(pA, y, "pairedBrierDifference");
  checkPair(pB, y, "pairedBrierDifference");
  const n = y.length;
  const d = Float64Array.from({ length: n }, (_, i) => (pA[i]! - y[i]!) ** 2 - (pB[i]! - y[i]!) ** 2);
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const sums = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const k = cluster ? cluster[i]! : i;
    sums.set(k, (sums.get(k) ?? 0) + (d[i]! - mean));
  }
  const g = sums.size;
  let ss = 0;
  for (const s of sums.values()) ss += s * s;
  // The usual small-sample factor g/(g-1) of the cluster-robust variance of a mean.
  const se = g > 1 ? Math.sqrt((ss * g) / (g - 1)) / n : Number.NaN;
  return { diff: mean, se, n, clusters: g };
}
