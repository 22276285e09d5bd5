import { NflPredError } from "../domain/index.ts";
import { fitLogistic1D } from "./calibration.ts";
import type { Contributions, FitOptions, Fitted, Learner } from "./contract.ts";
import {
  applyDesign,
  fitDesign,
  type LinearDesignParams,
  linearContributions,
  linearParams,
  linearPredictor,
} from "./design.ts";
import type { Matrix } from "./matrix.ts";
import { checkTrainingInputs, choleskyFactor, choleskySolve, sigmoid } from "./numeric.ts";

export interface MarginOptions {
  /**
   * Ridge penalty lambda on standardised coefficients: loss = sum w*(m - fit)^2 + lambda * |beta|^2.
   * The link is refitted on the penalised margins, so lambda steers the direction of the coefficients
   * (from least squares toward each column's own covariance with the margin), not the logit's scale.
   */
  readonly l2?: number;
}

/** The linear fit predicts the margin in points: `coef` is points per unit, `interceptStd` the margin at the means. */
export interface MarginParams extends LinearDesignParams {
  /** Win probability from a predicted margin m: sigmoid(linkIntercept + linkSlope * m). */
  readonly linkIntercept: number;
  readonly linkSlope: number;
  /** Weighted root mean squared residual of the in-sample margin fit, in points; descriptive only. */
  readonly residualSd: number;
}

/** A fitted margin model, which can also report the predicted point margin itself. */
export interface FittedMargin extends Fitted<MarginParams> {
  /** Predicted home-minus-away points per row; columns are matched by name. */
  predictMargin(X: Matrix): Float64Array;
}

const BLOCK = 2048;

const NEEDS_MARGINS = "the margin learner needs each row's point margin (FitOptions.margins)";

/**
 * Ridge regression of the home point margin on the features (exact, by normal equations), then a 1-D
 * logistic link from predicted margin to win probability fitted on the same rows. Margins carry more
 * information per game than wins, so the slope of each feature is estimated with less noise. The design
 * is the logistic learner's: NaN median-imputed plus a missing indicator, constant or all-missing
 * features dropped, every column standardised.
 * @example marginLearner({ l2: 1 }).fit(X, y, { seed: 1, margins }).predict(X)
 */
export function marginLearner(options: MarginOptions = {}): Learner<MarginParams> {
  const l2 = options.l2 ?? 1;
  if (!(l2 >= 0)) throw new NflPredError("MODEL", `margin l2 must be >= 0, got ${l2}`);
  return {
    kind: "margin",
    fit(X: Matrix, y: Float64Array, opts: FitOptions) {
      checkTrainingInputs(X, y, opts.weights);
      const margins = checkMargins(opts.margins, X.rows);
      return marginFromParams(X.names, fitMargin(X, y, margins, opts.weights, l2));
    },
  };
}

function checkMargins(margins: Float64Array | undefined, rows: number): Float64Array {
  if (margins === undefined) throw new NflPredError("MODEL", NEEDS_MARGINS);
  if (margins.length !== rows) {
    throw new NflPredError("MODEL", `${NEEDS_MARGINS}: got ${margins.length} margins for ${rows} rows`);
  }
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(margins[i]!)) {
      throw new NflPredError("MODEL", `${NEEDS_MARGINS}: the margin at row ${i} is ${margins[i]}`, {
        value: String(margins[i]),
      });
    }
  }
  return margins;
}

/**
 * Lower triangle of [1 z]' W [1 z] and the right-hand side [1 z]' W m, in row blocks so the weighted
 * column of each pass is reused against every other column while it is in cache.
 */
function normalEquations(
  z: readonly Float64Array[],
  m: Float64Array,
  w: Float64Array | undefined,
): { gram: Float64Array; rhs: Float64Array } {
  const n = m.length;
  const q = z.length + 1;
  const gram = new Float64Array(q * q);
  const rhs = new Float64Array(q);
  const wb = new Float64Array(BLOCK);
  const u = new Float64Array(BLOCK);
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    let g0 = 0;
    let r0 = 0;
    for (let i = 0; i < len; i++) {
      const wi = w === undefined ? 1 : w[start + i]!;
      wb[i] = wi;
      g0 += wi;
      r0 += wi * m[start + i]!;
    }
    gram[0]! += g0;
    rhs[0]! += r0;
    for (let a = 1; a < q; a++) {
      const xa = z[a - 1]!;
      let ga = 0;
      let ra = 0;
      for (let i = 0; i < len; i++) {
        const ui = wb[i]! * xa[start + i]!;
        u[i] = ui;
        ga += ui;
        ra += ui * m[start + i]!;
      }
      gram[a * q]! += ga;
      rhs[a]! += ra;
      for (let b = 1; b <= a; b++) {
        const xb = z[b - 1]!;
        let s = 0;
        for (let i = 0; i < len; i++) s += u[i]! * xb[start + i]!;
        gram[a * q + b]! += s;
      }
    }
  }
  return { gram, rhs };
}

function fitMargin(
  X: Matrix,
  y: Float64Array,
  margins: Float64Array,
  w: Float64Array | undefined,
  l2: number,
): MarginParams {
  const n = X.rows;
  const { medians, columns, z } = fitDesign(X);
  const q = columns.length + 1;

  const { gram, rhs: beta } = normalEquations(z, margins, w);
  for (let k = 1; k < q; k++) gram[k * q + k]! += l2;
  if (!choleskyFactor(gram, q)) {
    throw new NflPredError("MODEL", "margin normal equations are singular (collinear features)", {
      hint: "use l2 > 0",
    });
  }
  choleskySolve(gram, beta, q);

  const predicted = new Float64Array(n);
  linearPredictor(z, beta, predicted);
  let sw = 0;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    sw += wi;
    sse += wi * (margins[i]! - predicted[i]!) ** 2;
  }
  const link = fitLogistic1D(predicted, y, w);

  return {
    ...linearParams(X.names, l2, medians, columns, beta),
    linkIntercept: link.a,
    linkSlope: link.b,
    residualSd: Math.sqrt(sse / sw),
  };
}

/**
 * Rebuilds a fitted margin model from its JSON params (also used right after fitting). Contributions
 * are exact in logit space: each design column adds linkSlope * coefStd * z to the base
 * linkIntercept + linkSlope * interceptStd.
 * @example marginFromParams(json.features, json.params).predictMargin(X)
 */
export function marginFromParams(features: readonly string[], params: MarginParams): FittedMargin {
  const names = [...features];
  const { medians, columns, coefStd, interceptStd, linkIntercept, linkSlope } = params;
  const beta = Float64Array.from([interceptStd, ...coefStd]);
  const predictMargin = (X: Matrix): Float64Array => {
    const { rows, z } = applyDesign(X, names, medians, columns);
    const out = new Float64Array(rows);
    linearPredictor(z, beta, out);
    return out;
  };
  return {
    kind: "margin",
    features: names,
    params,
    predictMargin,
    predict(X: Matrix): Float64Array {
      return predictMargin(X).map((m) => sigmoid(linkIntercept + linkSlope * m));
    },
    contributions(X: Matrix): Contributions {
      const { rows, z } = applyDesign(X, names, medians, columns);
      const values = linearContributions(z, params, rows, names.length, linkSlope);
      return { base: new Float64Array(rows).fill(linkIntercept + linkSlope * interceptStd), values };
    },
  };
}
