import { NflPredError } from "../domain/index.ts";
import type { Contributions, FitOptions, Fitted, Learner } from "./contract.ts";
import { type Matrix, selectColumns } from "./matrix.ts";
import { checkTrainingInputs, createRng, logit, sigmoid } from "./numeric.ts";
import {
  addTreeShap,
  createShapScratch,
  type TreeArrays,
  treeDepth,
  treeExpectation,
  treeOutput,
} from "./treeshap.ts";

export interface GbmOptions {
  readonly nEstimators?: number;
  readonly learningRate?: number;
  readonly maxDepth?: number;
  /** Quantile bins per feature (2..255); NaN always gets its own extra bin. */
  readonly maxBins?: number;
  /** Minimum hessian mass in each child. */
  readonly minChildWeight?: number;
  /** L2 penalty on leaf values. */
  readonly lambda?: number;
  /** Fraction of rows drawn (without replacement, seeded) for each tree. */
  readonly subsample?: number;
  readonly minSplitGain?: number;
}

export type GbmSettings = Required<GbmOptions>;

export interface GbmParams {
  readonly settings: GbmSettings;
  /** Starting logit: the (weighted) training base rate. */
  readonly baseScore: number;
  /** Leaf values already include the learning rate. */
  readonly trees: readonly TreeArrays[];
}

export const GBM_DEFAULTS: GbmSettings = {
  nEstimators: 200,
  learningRate: 0.05,
  maxDepth: 3,
  maxBins: 32,
  minChildWeight: 1,
  lambda: 1,
  subsample: 0.8,
  minSplitGain: 0,
};

/** Checks the boosting knobs (shared by `gbm` and `xgboost`); `kind` names the learner in the error. */
export function validateGbmSettings(settings: GbmSettings, kind: string): GbmSettings {
  const { nEstimators, learningRate, maxDepth, maxBins, minChildWeight, lambda, subsample } = settings;
  const bad = (name: string, value: number) =>
    new NflPredError("MODEL", `${kind} option ${name} is out of range: ${value}`, { value: String(value) });
  if (!Number.isInteger(nEstimators) || nEstimators < 0) throw bad("nEstimators", nEstimators);
  if (!(learningRate > 0)) throw bad("learningRate", learningRate);
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 16) throw bad("maxDepth", maxDepth);
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) throw bad("maxBins", maxBins);
  if (!(minChildWeight >= 0)) throw bad("minChildWeight", minChildWeight);
  if (!(lambda >= 0)) throw bad("lambda", lambda);
  if (!(subsample > 0 && subsample <= 1)) throw bad("subsample", subsample);
  return settings;
}

/**
 * Histogram gradient-boosted trees on log loss (soft labels allowed), deterministic for a seed.
 * @example gbmLearner({ nEstimators: 300, maxDepth: 3 }).fit(X, y, { seed: 7 }).predict(X)
 */
export function gbmLearner(options: GbmOptions = {}): Learner<GbmParams> {
  const settings = validateGbmSettings({ ...GBM_DEFAULTS, ...options }, "gbm");
  return {
    kind: "gbm",
    fit(X: Matrix, y: Float64Array, opts: FitOptions) {
      checkTrainingInputs(X, y, opts.weights);
      return gbmFromParams(X.names, fitGbm(X, y, opts, settings));
    },
  };
}

/**
 * Thresholds between quantiles of the observed values; a value goes to the first bin whose threshold it
 * does not exceed. Thresholds sit midway between observed values, so splits generalise symmetrically.
 */
function binThresholds(values: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const unique: number[] = [];
  for (const v of sorted) if (unique.length === 0 || v !== unique[unique.length - 1]) unique.push(v);
  const cuts: number[] = [];
  const between = (k: number) => unique[k]! + (unique[k + 1]! - unique[k]!) / 2;
  if (unique.length <= maxBins) {
    for (let k = 0; k + 1 < unique.length; k++) cuts.push(between(k));
  } else {
    let k = 0;
    for (let b = 1; b < maxBins; b++) {
      const q = sorted[Math.floor((b * sorted.length) / maxBins)]!;
      while (unique[k]! < q) k++;
      if (k + 1 < unique.length) cuts.push(between(k));
    }
  }
  return Float64Array.from(new Set(cuts));
}

function binOf(thresholds: Float64Array, x: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= thresholds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  leftG: number;
  leftH: number;
}

interface TreeBuilder {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  missingLeft: number[];
  value: number[];
  cover: number[];
  /** Split bin per node, only needed to route binned training rows. */
  bin: number[];
}

interface Binned {
  /** Per feature, ascending split thresholds; a value goes to the first bin whose threshold it does not exceed. */
  readonly thresholds: readonly Float64Array[];
  /** Histogram slot of each feature's bin 0; a feature owns thresholds + 2 slots, the last one for NaN. */
  readonly offset: Int32Array;
  /** Row-major bin index per value. */
  readonly bins: Uint8Array;
}

function binFeatures(X: Matrix, maxBins: number): Binned {
  const { rows: n, cols: F, data } = X;
  const thresholds: Float64Array[] = [];
  const offset = new Int32Array(F + 1);
  const observed = new Float64Array(n);
  for (let f = 0; f < F; f++) {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * F + f]!;
      if (Number.isNaN(v)) continue;
      if (!Number.isFinite(v)) {
        throw new NflPredError("MODEL", `feature '${X.names[f]}' has an infinite value at row ${i}`, {
          column: X.names[f]!,
        });
      }
      observed[count++] = v;
    }
    const t = binThresholds(observed.subarray(0, count), maxBins);
    thresholds.push(t);
    offset[f + 1] = offset[f]! + t.length + 2;
  }
  const bins = new Uint8Array(n * F);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) {
      const v = data[i * F + f]!;
      const t = thresholds[f]!;
      bins[i * F + f] = Number.isNaN(v) ? t.length + 1 : binOf(t, v);
    }
  }
  return { thresholds, offset, bins };
}

function fitGbm(X: Matrix, y: Float64Array, opts: FitOptions, s: GbmSettings): GbmParams {
  const n = X.rows;
  const F = X.cols;
  const w = opts.weights;
  const { thresholds, offset, bins: binned } = binFeatures(X, s.maxBins);
  const histSize = offset[F]!;

  let sumW = 0;
  let sumWY = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    sumW += wi;
    sumWY += wi * y[i]!;
  }
  const baseScore = logit(sumWY / sumW, 1e-6);
  const raw = new Float64Array(n).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const rng = createRng(opts.seed);
  const sampleSize = Math.max(1, Math.round(s.subsample * n));
  const permutation = Int32Array.from({ length: n }, (_, i) => i);
  const index = new Int32Array(sampleSize);
  const scratch = new Int32Array(n);
  const minHess = Math.max(s.minChildWeight, 1e-12);
  const trees: TreeArrays[] = [];

  const buildHistogram = (start: number, end: number) => {
    const h = new Float64Array(2 * histSize);
    for (let k = start; k < end; k++) {
      const r = index[k]!;
      const g = grad[r]!;
      const hh = hess[r]!;
      const base = r * F;
      for (let f = 0; f < F; f++) {
        const slot = 2 * (offset[f]! + binned[base + f]!);
        h[slot]! += g;
        h[slot + 1]! += hh;
      }
    }
    return h;
  };

  const score = (g: number, h: number) => (g * g) / (h + s.lambda);

  const findSplit = (hist: Float64Array, sumG: number, sumH: number): Split | undefined => {
    let best: Split | undefined;
    const parent = score(sumG, sumH);
    const consider = (f: number, bin: number, lg: number, lh: number, missingLeft: boolean) => {
      const rh = sumH - lh;
      if (lh < minHess || rh < minHess) return;
      const gain = score(lg, lh) + score(sumG - lg, rh) - parent;
      if (gain > s.minSplitGain + 1e-12 && (best === undefined || gain > best.gain)) {
        best = { gain, feature: f, bin, missingLeft, leftG: lg, leftH: lh };
      }
    };
    for (let f = 0; f < F; f++) {
      const nThresholds = thresholds[f]!.length;
      const off = offset[f]!;
      const missG = hist[2 * (off + nThresholds + 1)]!;
      const missH = hist[2 * (off + nThresholds + 1) + 1]!;
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < nThresholds; b++) {
        gl += hist[2 * (off + b)]!;
        hl += hist[2 * (off + b) + 1]!;
        if (missH > 0) {
          consider(f, b, gl + missG, hl + missH, true);
          consider(f, b, gl, hl, false);
        } else {
          // No NaN reached this node: unseen NaN go to the heavier child, their most plausible home.
          consider(f, b, gl, hl, hl >= sumH - hl);
        }
      }
    }
    return best;
  };

  for (let t = 0; t < s.nEstimators; t++) {
    for (let i = 0; i < n; i++) {
      const wi = w === undefined ? 1 : w[i]!;
      const p = sigmoid(raw[i]!);
      grad[i] = wi * (p - y[i]!);
      hess[i] = wi * p * (1 - p);
    }
    if (sampleSize < n) {
      for (let k = 0; k < sampleSize; k++) {
        const j = k + Math.floor(rng() * (n - k));
        const tmp = permutation[k]!;
        permutation[k] = permutation[j]!;
        permutation[j] = tmp;
      }
      index.set(permutation.subarray(0, sampleSize));
      index.sort();
    } else {
      index.set(permutation);
    }

    const tree: TreeBuilder = {
      feature: [],
      threshold: [],
      left: [],
      right: [],
      missingLeft: [],
      value: [],
      cover: [],
      bin: [],
    };
    const addNode = () => {
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.missingLeft.push(0);
      tree.value.push(0);
      tree.cover.push(0);
      tree.bin.push(-1);
      return tree.feature.length - 1;
    };

    const grow = (
      start: number,
      end: number,
      hist: Float64Array,
      sumG: number,
      sumH: number,
      depth: number,
    ) => {
      const id = addNode();
      const split = depth < s.maxDepth && end - start >= 2 ? findSplit(hist, sumG, sumH) : undefined;
      if (split === undefined) {
        tree.value[id] = (-sumG / (sumH + s.lambda)) * s.learningRate;
        tree.cover[id] = sumH;
        return id;
      }
      const { feature: f, bin, missingLeft } = split;
      const missingBin = thresholds[f]!.length + 1;
      let nl = 0;
      let nr = 0;
      for (let k = start; k < end; k++) {
        const r = index[k]!;
        const b = binned[r * F + f]!;
        const goLeft = b === missingBin ? missingLeft : b <= bin;
        if (goLeft) index[start + nl++] = r;
        else scratch[nr++] = r;
      }
      index.set(scratch.subarray(0, nr), start + nl);
      const mid = start + nl;
      // Build the smaller child's histogram; the larger one is the parent's minus it.
      const leftSmaller = nl <= nr;
      const small = leftSmaller ? buildHistogram(start, mid) : buildHistogram(mid, end);
      for (let k = 0; k < hist.length; k++) hist[k]! -= small[k]!;
      const leftHist = leftSmaller ? small : hist;
      const rightHist = leftSmaller ? hist : small;

      tree.feature[id] = f;
      tree.threshold[id] = thresholds[f]![bin]!;
      tree.missingLeft[id] = missingLeft ? 1 : 0;
      tree.bin[id] = bin;
      const l = grow(start, mid, leftHist, split.leftG, split.leftH, depth + 1);
      const r = grow(mid, end, rightHist, sumG - split.leftG, sumH - split.leftH, depth + 1);
      tree.left[id] = l;
      tree.right[id] = r;
      // Parent cover is the exact sum of its children's, so TreeSHAP's child fractions sum to one.
      tree.cover[id] = tree.cover[l]! + tree.cover[r]!;
      return id;
    };

    let sumG = 0;
    let sumH = 0;
    for (let k = 0; k < sampleSize; k++) {
      sumG += grad[index[k]!]!;
      sumH += hess[index[k]!]!;
    }
    grow(0, sampleSize, buildHistogram(0, sampleSize), sumG, sumH, 0);

    for (let i = 0; i < n; i++) {
      let node = 0;
      while (tree.feature[node]! >= 0) {
        const f = tree.feature[node]!;
        const b = binned[i * F + f]!;
        const goLeft = b === thresholds[f]!.length + 1 ? tree.missingLeft[node] === 1 : b <= tree.bin[node]!;
        node = goLeft ? tree.left[node]! : tree.right[node]!;
      }
      raw[i]! += tree.value[node]!;
    }
    const { bin: _bin, ...arrays } = tree;
    trees.push(arrays);
  }
  return { settings: s, baseScore, trees };
}

/** Rebuilds a fitted gbm from its JSON params (also used right after fitting). */
export function gbmFromParams(features: readonly string[], params: GbmParams): Fitted<GbmParams> {
  return treeEnsembleFromParams("gbm", features, params);
}

/** A sum of trees on the logit scale, with exact TreeSHAP contributions, as a fitted model of `kind`. */
export function treeEnsembleFromParams<
  P extends { readonly baseScore: number; readonly trees: readonly TreeArrays[] },
>(kind: string, features: readonly string[], params: P): Fitted<P> {
  const names = [...features];
  const { trees, baseScore } = params;
  const rawScores = (Xs: Matrix) => {
    const out = new Float64Array(Xs.rows);
    for (let i = 0; i < Xs.rows; i++) {
      let s = baseScore;
      for (const tree of trees) s += treeOutput(tree, Xs.data, i, Xs.cols);
      out[i] = s;
    }
    return out;
  };
  return {
    kind,
    features: names,
    params,
    predict(X: Matrix): Float64Array {
      return rawScores(selectColumns(X, names)).map(sigmoid);
    },
    contributions(X: Matrix): Contributions {
      const Xs = selectColumns(X, names);
      let expected = baseScore;
      for (const tree of trees) expected += treeExpectation(tree);
      const scratch = createShapScratch(Math.max(0, ...trees.map((t) => treeDepth(t))));
      const values = new Float64Array(Xs.rows * Xs.cols);
      for (let i = 0; i < Xs.rows; i++) {
        for (const tree of trees) addTreeShap(tree, Xs.data, i, Xs.cols, values, i * Xs.cols, scratch);
      }
      return { base: new Float64Array(Xs.rows).fill(expected), values };
    },
  };
}
