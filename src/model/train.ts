import { NflPredError } from "../domain/index.ts";
import {
  type Calibrator,
  type CalibratorKind,
  fitIsotonic,
  fitPlatt,
  identityCalibrator,
} from "./calibration.ts";
import type { FitOptions, Fitted, Learner } from "./contract.ts";
import { forwardChainingFolds } from "./folds.ts";
import { type GbmOptions, gbmLearner } from "./gbm.ts";
import { logisticLearner } from "./logistic.ts";
import { marginLearner } from "./margin.ts";
import type { Matrix } from "./matrix.ts";
import { selectColumns, takeRows } from "./matrix.ts";
import { meanLogLoss } from "./numeric.ts";
import { stackLearner } from "./stack.ts";
import { xgboostLearner } from "./xgboost.ts";

/** The learners `train` and `backtest` accept (`--model`, `training.model`). */
export const LEARNER_KINDS = ["margin", "logistic", "gbm", "xgboost", "stack"] as const;
export type LearnerKind = (typeof LEARNER_KINDS)[number];

export interface TrainSettings {
  readonly learner: LearnerKind;
  readonly seed: number;
  readonly l2: number;
  readonly cvFolds: number;
  /** Weeks held out (after the fit weeks) to choose the calibrator by log loss. */
  readonly calibrationWeeks: number;
  /** The latest weeks, kept out of fitting and calibration, to report honest holdout metrics. */
  readonly holdoutWeeks: number;
  /**
   * Columns missing in more than this share of training rows are left out of the fit: a source that
   * exists only for recent seasons (play-by-play, injury reports) would otherwise turn its missing
   * indicators into era dummies fitted on a handful of rows. Default 0.5.
   */
  readonly maxMissingShare?: number;
  readonly gbm?: GbmOptions;
}

/**
 * Nested choice of the ridge penalty of the settings' learner (logistic, margin, or the logistic inside
 * stack): each candidate is scored by the log loss of its forward-chaining out-of-fold probabilities on
 * the training data alone, so no later game is looked at.
 */
export function chooseL2(
  full: TrainData,
  s: TrainSettings,
  grid: readonly number[],
): { l2: number; losses: Record<string, number> } {
  requireWeeks(full.groups, s);
  const data = { ...full, X: selectColumns(full.X, usableColumns(full.X, s.maxMissingShare ?? 0.5)) };
  const losses: Record<string, number> = {};
  let best = grid[0] ?? s.l2;
  for (const l2 of grid) {
    const oof = outOfFold(makeLearner({ ...s, l2 }), data, s);
    losses[String(l2)] = meanLogLoss(oof.p, oof.y);
    if (losses[String(l2)]! < losses[String(best)]!) best = l2;
  }
  return { l2: best, losses };
}

export interface TrainData {
  readonly X: Matrix;
  /** Home label: 1, 0 or 0.5 for a tie. */
  readonly y: Float64Array;
  /** Time order of each row (a week index); rows may be in any order. */
  readonly groups: Int32Array;
  readonly weights?: Float64Array;
  /** Home points minus away points per row; needed by the "margin" learner, ignored by the others. */
  readonly margins?: Float64Array;
}

export interface Scored {
  readonly p: Float64Array;
  readonly y: Float64Array;
}

export interface TrainOutcome {
  readonly model: Fitted<unknown>;
  readonly calibrator: Calibrator;
  /** Log loss of each calibration candidate on the calibration weeks (empty when there were none). */
  readonly calibrationLosses: Partial<Record<CalibratorKind, number>>;
  /** Out-of-sample predictions of each forward-chaining CV fold (uncalibrated base model). */
  readonly cv: Scored[];
  /** The holdout weeks, predicted by a model that saw neither them nor anything after. */
  readonly holdout: Scored | null;
}

export function makeLearner(s: TrainSettings): Learner<unknown> {
  switch (s.learner) {
    case "logistic":
      return logisticLearner({ l2: s.l2 });
    case "gbm":
      return gbmLearner(s.gbm ?? {});
    case "xgboost":
      return xgboostLearner(s.gbm ?? {});
    case "stack":
      return stackLearner({ learners: [logisticLearner({ l2: s.l2 }), gbmLearner(s.gbm ?? {})], nFolds: 4 });
    case "margin":
      return marginLearner({ l2: s.l2 });
  }
}

/**
 * The whole training recipe, pure and deterministic for a seed:
 * 1. weeks split in time order into fit | calibration | holdout;
 * 2. forward-chaining CV inside the fit weeks gives out-of-fold predictions;
 * 3. Platt and isotonic are fitted on those and, with "none", judged by log loss on the calibration weeks;
 * 4. the holdout weeks are scored by the fit-weeks model with the chosen calibrator;
 * 5. the final model is refitted on every week, its calibrator (of the chosen kind) on out-of-fold
 *    predictions over every week.
 */
export function trainCalibrated(full: TrainData, s: TrainSettings): TrainOutcome {
  requireWeeks(full.groups, s);
  const data = { ...full, X: selectColumns(full.X, usableColumns(full.X, s.maxMissingShare ?? 0.5)) };
  const weeks = [...new Set(data.groups)].sort((a, b) => a - b);
  const nHold = s.holdoutWeeks;
  const nCal = s.calibrationWeeks;
  const holdStart = weeks[weeks.length - nHold] ?? Number.POSITIVE_INFINITY;
  const calStart = weeks[weeks.length - nHold - nCal] ?? holdStart;
  const region = (lo: number, hi: number) => indicesWhere(data.groups, (g) => g >= lo && g < hi);
  const fitIdx = region(Number.NEGATIVE_INFINITY, calStart);
  const calIdx = region(calStart, holdStart);
  const holdIdx = region(holdStart, Number.POSITIVE_INFINITY);
  const learner = makeLearner(s);

  const fitPart = subset(data, fitIdx);
  const fitOof = outOfFold(learner, fitPart, s);
  const fitModel = learner.fit(fitPart.X, fitPart.y, fitOpts(fitPart, s));
  let kind: CalibratorKind = "none";
  const calibrationLosses: Partial<Record<CalibratorKind, number>> = {};
  let calibrator = identityCalibrator();
  if (calIdx.length > 0) {
    const cal = subset(data, calIdx);
    const raw = fitModel.predict(cal.X);
    const candidates: Record<CalibratorKind, Calibrator> = {
      none: identityCalibrator(),
      platt: fitPlatt(fitOof.p, fitOof.y),
      isotonic: fitIsotonic(fitOof.p, fitOof.y),
    };
    for (const k of ["none", "platt", "isotonic"] as const) {
      calibrationLosses[k] = meanLogLoss(candidates[k].apply(raw), cal.y);
      if (calibrationLosses[k]! < calibrationLosses[kind]! - 1e-12) kind = k;
    }
    calibrator = candidates[kind];
  }
  let holdout: Scored | null = null;
  if (holdIdx.length > 0) {
    const hold = subset(data, holdIdx);
    holdout = { p: calibrator.apply(fitModel.predict(hold.X)), y: hold.y };
  }
  const model = learner.fit(data.X, data.y, fitOpts(data, s));
  let finalCalibrator = identityCalibrator();
  if (kind !== "none") {
    const all = outOfFold(learner, data, s);
    finalCalibrator = kind === "platt" ? fitPlatt(all.p, all.y) : fitIsotonic(all.p, all.y);
  }
  return { model, calibrator: finalCalibrator, calibrationLosses, cv: fitOof.folds, holdout };
}

/** Fewest weeks of completed games that training with these settings accepts. */
export function minTrainingWeeks(s: TrainSettings): number {
  return s.holdoutWeeks + s.calibrationWeeks + MIN_FIT_WEEKS;
}

/** Fit weeks below which the forward-chaining CV has too little to fit and score. */
const MIN_FIT_WEEKS = 4;

function requireWeeks(groups: Int32Array, s: TrainSettings): void {
  const found = new Set(groups).size;
  if (found >= minTrainingWeeks(s)) return;
  throw new NflPredError(
    "NO_DATA",
    `training needs at least ${minTrainingWeeks(s)} weeks of completed games (${s.holdoutWeeks} holdout + ${s.calibrationWeeks} calibration + ${MIN_FIT_WEEKS} to fit), found ${found}`,
    {
      hint: "train on more seasons (build-features --seasons …), or hold out fewer weeks (--holdout-weeks, --calibration-weeks)",
    },
  );
}

/** Names of the columns present in at least (1 - maxMissingShare) of the rows. */
export function usableColumns(X: Matrix, maxMissingShare: number): string[] {
  const missing = new Float64Array(X.cols);
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < X.cols; j++) if (Number.isNaN(X.data[i * X.cols + j]!)) missing[j]!++;
  }
  return X.names.filter((_, j) => missing[j]! <= maxMissingShare * X.rows);
}

function fitOpts(d: TrainData, s: TrainSettings): FitOptions {
  return {
    seed: s.seed,
    groups: d.groups,
    ...(d.weights ? { weights: d.weights } : {}),
    ...(d.margins ? { margins: d.margins } : {}),
  };
}

/** Out-of-fold predictions over the later half of the weeks, fold by fold. */
function outOfFold(learner: Learner<unknown>, d: TrainData, s: TrainSettings): Scored & { folds: Scored[] } {
  const nWeeks = new Set(d.groups).size;
  const minTrain = Math.max(1, Math.floor(nWeeks / 2));
  // A short window has fewer testable weeks than cvFolds: one week per fold then.
  const nFolds = Math.max(1, Math.min(s.cvFolds, nWeeks - minTrain));
  const folds = forwardChainingFolds(d.groups, nFolds, minTrain);
  const p: number[] = [];
  const y: number[] = [];
  const scored: Scored[] = [];
  for (const f of folds) {
    const tr = subset(d, f.train);
    const te = subset(d, f.test);
    const q = learner.fit(tr.X, tr.y, fitOpts(tr, s)).predict(te.X);
    scored.push({ p: q, y: te.y });
    p.push(...q);
    y.push(...te.y);
  }
  return { p: Float64Array.from(p), y: Float64Array.from(y), folds: scored };
}

function subset(d: TrainData, idx: ArrayLike<number>): TrainData {
  const pick = (a: Float64Array) => Float64Array.from(Array.from(idx, (i) => a[i]!));
  return {
    X: takeRows(d.X, idx),
    y: pick(d.y),
    groups: Int32Array.from(Array.from(idx, (i) => d.groups[i]!)),
    ...(d.weights ? { weights: pick(d.weights) } : {}),
    ...(d.margins ? { margins: pick(d.margins) } : {}),
  };
}

function indicesWhere(groups: Int32Array, pred: (g: number) => boolean): Int32Array {
  const out: number[] = [];
  groups.forEach((g, i) => {
    if (pred(g)) out.push(i);
  });
  return Int32Array.from(out);
}
