import type { Matrix } from "./matrix.ts";

export interface FitOptions {
  /** Seeds every random choice (row subsampling, fold-level seeds); same seed, same model. */
  readonly seed: number;
  readonly weights?: Float64Array;
  /** Time-order key per row (e.g. a week index); only learners that build folds (stack) need it. */
  readonly groups?: Int32Array;
  /**
   * Home points minus away points per row, aligned with y. Only learners that regress on the margin
   * (margin) need it; the others ignore it.
   */
  readonly margins?: Float64Array;
}

/** Per-row additive attributions in logit space: logit(p) = base + sum of the row's values. */
export interface Contributions {
  readonly base: Float64Array;
  /** rows x features, row-major, in the order of `Fitted.features`. */
  readonly values: Float64Array;
}

/** An untrained model: labels are 0, 1 or 0.5 (a tie, used as a soft label). */
export interface Learner<P> {
  readonly kind: string;
  fit(X: Matrix, y: Float64Array, opts: FitOptions): Fitted<P>;
}

/** A trained model; `params` is plain JSON and `restoreModel(kind, features, params)` rebuilds it exactly. */
export interface Fitted<P> {
  readonly kind: string;
  readonly features: readonly string[];
  readonly params: P;
  /** Probability of label 1 (home win) per row; columns are matched by name. */
  predict(X: Matrix): Float64Array;
  contributions?(X: Matrix): Contributions;
}

/** The JSON form of a fitted model. */
export interface SerializedModel {
  readonly kind: string;
  readonly features: readonly string[];
  readonly params: unknown;
}
