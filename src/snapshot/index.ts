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
