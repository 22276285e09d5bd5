export {
  FINAL_STAGE,
  kickoffSlots,
  type LadderPlan,
  type PlanRequest,
  planLadder,
  type SlotGame,
  STAGES,
  type StageName,
  type StageRun,
} from "./plan.ts";
export {
  describeMissingInputs,
  describeReason,
  type GamePrediction,
  MIN_REASON_LOGIT,
  type ModelForPrediction,
  pairRows,
  predictGames,
  type Reason,
  summarizeContributions,
} from "./predict.ts";
export { executeStage, hashRows, type StageEnv, type StageResult, writeExplanations } from "./run.ts";
