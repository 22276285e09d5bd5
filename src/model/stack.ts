import { NflPredError } from "../domain/index.ts";
import type { Contributions, FitOptions, Fitted, Learner, SerializedModel } from "./contract.ts";
import { type Fold, forwardChainingFolds } from "./folds.ts";
import { type LogisticParams, logisticFromParams, logisticLearner } from "./logistic.ts";
import { createMatrix, type Matrix, selectColumns, takeRows } from "./matrix.ts";
import { logit, takeValues } from "./numeric.ts";

export interface StackOptions {
  readonly learners: readonly Learner<unknown>[];
  readonly nFolds?: number;
  /** Groups always kept for training before the first test fold; default: one fold's worth. */
  readonly minTrainGroups?: number;
  /** Ridge penalty of the logistic meta-learner. */
  readonly metaL2?: number;
}

export interface StackParams {
  readonly base: readonly SerializedModel[];
  readonly meta: { readonly features: readonly string[]; readonly params: LogisticParams };
  readonly nFolds: number;
  readonly minTrainGroups: number;
  /** Rows with out-of-fold predictions, i.e. the meta-learner's training set. */
  readonly metaRows: number;
}

export interface OutOfFold {
  /** Per learner, the probability from a model that never saw the row's group or later; NaN if untested. */
  readonly predictions: readonly Float64Array[];
  /** Rows that fell in some test fold, ascending. */
  readonly tested: Int32Array;
  readonly folds: readonly Fold[];
}

/** Seed for learner m on fold k, distinct from the final refit's seed. */
function foldSeed(seed: number, fold: number, learner: number): number {
  return (seed + 7919 * (fold + 1) + 104729 * learner) | 0;
}

function requireGroups(X: Matrix, opts: FitOptions): Int32Array {
  const groups = opts.groups;
  if (groups === undefined) {
    throw new NflPredError("MODEL", "stacking needs FitOptions.groups (a time-order key per row)", {
      hint: "pass e.g. a season*100+week index as groups",
    });
  }
  if (groups.length !== X.rows) {
    throw new NflPredError("MODEL", `groups length ${groups.length} does not match ${X.rows} rows`);
  }
  return groups;
}

/**
 * Out-of-fold probabilities of every learner over forward-chaining folds: each prediction comes from a
 * model trained only on strictly earlier groups.
 */
export function buildOutOfFold(
  learners: readonly Learner<unknown>[],
  X: Matrix,
  y: Float64Array,
  opts: FitOptions,
  nFolds: number,
  minTrainGroups: number,
): OutOfFold {
  const groups = requireGroups(X, opts);
  const folds = forwardChainingFolds(groups, nFolds, minTrainGroups);
  const predictions = learners.map(() => new Float64Array(X.rows).fill(Number.NaN));
  folds.forEach((fold, k) => {
    const Xtrain = takeRows(X, fold.train);
    const Xtest = takeRows(X, fold.test);
    const ytrain = takeValues(y, fold.train);
    const trainGroups = Int32Array.from(fold.train, (i) => groups[i]!);
    const weights = opts.weights === undefined ? undefined : takeValues(opts.weights, fold.train);
    const margins = opts.margins === undefined ? undefined : takeValues(opts.margins, fold.train);
    learners.forEach((learner, m) => {
      const seed = foldSeed(opts.seed, k, m);
      const fitOpts: FitOptions = {
        seed,
        groups: trainGroups,
        ...(weights === undefined ? {} : { weights }),
        ...(margins === undefined ? {} : { margins }),
      };
      const p = learner.fit(Xtrain, ytrain, fitOpts).predict(Xtest);
      fold.test.forEach((row, i) => {
        predictions[m]![row] = p[i]!;
      });
    });
  });
  const tested = Int32Array.from(folds.flatMap((f) => Array.from(f.test))).sort();
  return { predictions, tested, folds };
}

function metaNames(base: readonly { kind: string }[]): string[] {
  return base.map((b, m) => `${m}:${b.kind}`);
}

/** Meta-learner input: logit of each base model's probability (clipped so it stays finite). */
function metaMatrix(probabilities: readonly Float64Array[], rows: number, names: readonly string[]): Matrix {
  const M = probabilities.length;
  const data = new Float64Array(rows * M);
  probabilities.forEach((p, m) => {
    for (let i = 0; i < rows; i++) data[i * M + m] = logit(p[i]!);
  });
  return createMatrix(rows, M, data, names);
}

/**
 * Stacking: a logistic meta-learner on logit(out-of-fold probabilities) from forward-chaining folds by
 * `FitOptions.groups`; the base models are then refitted on all rows.
 * @example stackLearner({ learners: [logisticLearner(), gbmLearner()], nFolds: 4 }).fit(X, y, { seed: 1, groups: week })
 */
export function stackLearner(options: StackOptions): Learner<StackParams> {
  const { learners } = options;
  const nFolds = options.nFolds ?? 5;
  const metaL2 = options.metaL2 ?? 1;
  if (learners.length === 0) throw new NflPredError("MODEL", "stack needs at least one base learner");
  return {
    kind: "stack",
    fit(X: Matrix, y: Float64Array, opts: FitOptions) {
      const groups = requireGroups(X, opts);
      const distinct = new Set(groups).size;
      const minTrainGroups = options.minTrainGroups ?? Math.max(1, Math.floor(distinct / (nFolds + 1)));
      const oof = buildOutOfFold(learners, X, y, opts, nFolds, minTrainGroups);
      const names = metaNames(learners);
      const metaX = metaMatrix(
        oof.predictions.map((p) => takeValues(p, oof.tested)),
        oof.tested.length,
        names,
      );
      const metaW = opts.weights === undefined ? undefined : takeValues(opts.weights, oof.tested);
      const metaOpts = metaW === undefined ? { seed: opts.seed } : { seed: opts.seed, weights: metaW };
      const meta = logisticLearner({ l2: metaL2 }).fit(metaX, takeValues(y, oof.tested), metaOpts);
      const base = learners.map((learner) => learner.fit(X, y, opts));
      const params: StackParams = {
        base: base.map((b) => ({ kind: b.kind, features: b.features, params: b.params })),
        meta: { features: meta.features, params: meta.params },
        nFolds,
        minTrainGroups,
        metaRows: oof.tested.length,
      };
      return stackFitted(X.names, params, base, meta);
    },
  };
}

/** Rebuilds a fitted stack; `restore` rebuilds each base model (the registry's restoreModel). */
export function stackFromParams(
  features: readonly string[],
  params: StackParams,
  restore: (kind: string, features: readonly string[], params: unknown) => Fitted<unknown>,
): Fitted<StackParams> {
  const base = params.base.map((b) => restore(b.kind, b.features, b.params));
  return stackFitted(features, params, base, logisticFromParams(params.meta.features, params.meta.params));
}

function stackFitted(
  features: readonly string[],
  params: StackParams,
  base: readonly Fitted<unknown>[],
  meta: Fitted<LogisticParams>,
): Fitted<StackParams> {
  const names = [...features];
  const inputs = (Xs: Matrix) =>
    metaMatrix(
      base.map((b) => b.predict(Xs)),
      Xs.rows,
      meta.features,
    );
  const fitted: Fitted<StackParams> = {
    kind: "stack",
    features: names,
    params,
    predict(X: Matrix): Float64Array {
      return meta.predict(inputs(selectColumns(X, names)));
    },
  };
  if (!base.every((b) => b.contributions !== undefined)) return fitted;
  return {
    ...fitted,
    /**
     * The meta-learner is linear in each base model's logit, so base attributions scale by its
     * original-scale coefficients; exact up to the logit clipping of extreme probabilities.
     */
    contributions(X: Matrix): Contributions {
      const Xs = selectColumns(X, names);
      const coefOf = (name: string) =>
        meta.params.coef.find((c) => c.feature === name && c.kind === "value")?.value ?? 0;
      const baseOut = new Float64Array(Xs.rows).fill(meta.params.intercept);
      const values = new Float64Array(Xs.rows * names.length);
      base.forEach((b, m) => {
        const c = coefOf(meta.features[m]!);
        const part = b.contributions!(Xs);
        const where = b.features.map((f) => names.indexOf(f));
        for (let i = 0; i < Xs.rows; i++) {
          baseOut[i]! += c * part.base[i]!;
          where.forEach((j, k) => {
            values[i * names.length + j]! += c * part.values[i * b.features.length + k]!;
          });
        }
      });
      return { base: baseOut, values };
    },
  };
}
