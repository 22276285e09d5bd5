export {
  type Calibrator,
  type CalibratorChoice,
  type CalibratorKind,
  type CalibratorParams,
  chooseCalibrator,
  fitIsotonic,
  fitLogistic1D,
  fitPlatt,
  type IsotonicParams,
  identityCalibrator,
  type PlattParams,
  restoreCalibrator,
} from "./calibration.ts";
export type { Contributions, FitOptions, Fitted, Learner, SerializedModel } from "./contract.ts";
export type { DesignCoefficient, DesignColumn } from "./design.ts";
export { type Fold, forwardChainingFolds } from "./folds.ts";
export { type GbmOptions, type GbmParams, type GbmSettings, gbmFromParams, gbmLearner } from "./gbm.ts";
export {
  type LogisticCoefficient,
  type LogisticColumn,
  type LogisticOptions,
  type LogisticParams,
  logisticFromParams,
  logisticLearner,
} from "./logistic.ts";
export {
  type FittedMargin,
  type MarginOptions,
  type MarginParams,
  marginFromParams,
  marginLearner,
} from "./margin.ts";
export {
  createMatrix,
  getColumn,
  type Matrix,
  matrixFromColumns,
  matrixFromRows,
  selectColumns,
  takeRows,
} from "./matrix.ts";
export { createRng, logit, meanLogLoss, sigmoid } from "./numeric.ts";
export { homeAwayProbabilities } from "./pair.ts";
export { restoreModel, serializeModel } from "./registry.ts";
export {
  buildOutOfFold,
  type OutOfFold,
  type StackOptions,
  type StackParams,
  stackLearner,
} from "./stack.ts";
export { summarizeModel } from "./summary.ts";
export {
  chooseL2,
  LEARNER_KINDS,
  type LearnerKind,
  makeLearner,
  minTrainingWeeks,
  type Scored,
  type TrainData,
  type TrainOutcome,
  type TrainSettings,
  trainCalibrated,
  usableColumns,
} from "./train.ts";
export { type TreeArrays, treeExpectation, treeOutput } from "./treeshap.ts";
export {
  isXgboostAvailable,
  type XgboostOptions,
  type XgboostParams,
  xgboostFromParams,
  xgboostLearner,
} from "./xgboost.ts";
