import { MS_HOUR, MS_MINUTE, NflPredError } from "../domain/index.ts";

export const STAGES = [
  { name: "T-24h", offsetMs: 24 * MS_HOUR },
  { name: "T-100m", offsetMs: 100 * MS_MINUTE },
  { name: "T-80m", offsetMs: 80 * MS_MINUTE },
  { name: "T-75m", offsetMs: 75 * MS_MINUTE },
  { name: "T-60m", offsetMs: 60 * MS_MINUTE },
] as const;
export type StageName = (typeof STAGES)[number]["name"];
export const FINAL_STAGE: StageName = "T-60m";

export interface SlotGame {
  readonly gameId: string;
  readonly kickoff: number;
}

/** One stage of one kickoff slot: the games kicking off together share their ladder. */
export interface StageRun {
  /** A ladder stage, or "adhoc" for `predict` looking at a game before its T-60m. */
  readonly stage: StageName | "adhoc";
  readonly kickoff: number;
  readonly stageTime: number;
  readonly gameIds: readonly string[];
  /** Visibility cutoff and snapshot key: the stage time, or `now` for a rehearsal run before it. */
  readonly asOf: number;
  readonly snapshotAt: number;
  readonly rehearsal: boolean;
}

export interface LadderPlan {
  readonly due: StageRun[];
  readonly ahead: { stage: StageName; kickoff: number; stageTime: number; gameIds: string[] }[];
}

export interface PlanRequest {
  readonly games: readonly SlotGame[];
  readonly now: number;
  /** Only the slot kicking off at this instant (must be a kickoff of the week). */
  readonly at?: number | undefined;
  readonly mode: "full-timeline" | "final-only" | "default";
}

/** Kickoff slots of a week, earliest first. */
export function kickoffSlots(games: readonly SlotGame[]): number[] {
  return [...new Set(games.map((g) => g.kickoff))].sort((a, b) => a - b);
}

/**
 * Which stage runs are due now and which are still ahead (pure: `now` is an argument).
 * - final-only: the T-60m stage of each selected slot, run now (a rehearsal when its time has not come).
 * - full-timeline: every stage whose time has come; past weeks replay all five at their stage times.
 * - default: like full-timeline (the runbook's "rerun the same invocation; the scheduler advances").
 */
export function planLadder(req: PlanRequest): LadderPlan {
  const slots = kickoffSlots(req.games);
  let selected = slots;
  if (req.at !== undefined) {
    if (!slots.includes(req.at)) {
      const list = slots.map((s) => new Date(s).toISOString().replace(".000Z", "Z")).join(", ");
      throw new NflPredError(
        "USAGE",
        `--at ${new Date(req.at).toISOString()} matches no kickoff of this week; kickoff slots: ${list}`,
        { flag: "--at", value: new Date(req.at).toISOString() },
      );
    }
    selected = [req.at];
  }
  const due: StageRun[] = [];
  const ahead: LadderPlan["ahead"] = [];
  for (const kickoff of selected) {
    const gameIds = req.games.filter((g) => g.kickoff === kickoff).map((g) => g.gameId);
    const stages = req.mode === "final-only" ? STAGES.filter((s) => s.name === FINAL_STAGE) : STAGES;
    for (const s of stages) {
      const stageTime = kickoff - s.offsetMs;
      if (stageTime <= req.now) {
        due.push({
          stage: s.name,
          kickoff,
          stageTime,
          gameIds,
          asOf: stageTime,
          snapshotAt: stageTime,
          rehearsal: false,
        });
      } else if (req.mode === "final-only") {
        due.push({
          stage: s.name,
          kickoff,
          stageTime,
          gameIds,
          asOf: req.now,
          snapshotAt: req.now,
          rehearsal: true,
        });
      } else {
        ahead.push({ stage: s.name, kickoff, stageTime, gameIds });
      }
    }
  }
  return { due, ahead };
}
