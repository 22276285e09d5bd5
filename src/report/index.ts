export {
  accuracy,
  brierScore,
  expectedCalibrationError,
  logLoss,
  type ReliabilityBin,
  reliabilityBins,
  reliabilitySlope,
} from "./metrics.ts";
