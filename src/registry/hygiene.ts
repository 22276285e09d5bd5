import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeAtomic } from "./artifact.ts";

export interface RetentionPolicy {
  readonly max_age_days: number;
  readonly keep_last_runs: number;
  readonly keep_top_runs: number;
  readonly metric: string;
  readonly goal: "minimize" | "maximize";
  readonly protect_promoted: boolean;
}

/** The fields of a tracking run that retention looks at. */
export interface RunForRetention {
  readonly runId: string;
  readonly runName: string;
  readonly startTime: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RetentionDecision {
  readonly runId: string;
  readonly runName: string;
  readonly startTime: number;
  readonly keep: boolean;
  /** Why it is kept; empty for a run to delete. Protection reasons come first. */
  readonly reasons: readonly string[];
  /** Kept because of a link or a stage tag: never deleted whatever the counts say. */
  readonly protected: boolean;
}

const PROMOTED_STAGES = ["production", "previous", "candidate"];
const DAY_MS = 86_400_000;

/**
 * Which runs to keep: the union of protected runs (the ones `current`/`previous` link to, always; runs
 * tagged stage=production/previous/candidate when `protect_promoted`), the newest `keep_last_runs`, the
 * best `keep_top_runs` by `metric` and `goal`, and runs younger than `max_age_days`. Everything else is
 * deleted. Pure: `now` is an argument.
 * @example planRetention(runs, cfg.mlflow.hygiene.retention, new Map([[currentRunId, "current"]]), now)
 */
export function planRetention(
  runs: readonly RunForRetention[],
  policy: RetentionPolicy,
  linkedRunIds: ReadonlyMap<string, string>,
  now: number,
): RetentionDecision[] {
  const newest = new Set(
    [...runs]
      .sort((a, b) => b.startTime - a.startTime || a.runId.localeCompare(b.runId))
      .slice(0, policy.keep_last_runs)
      .map((r) => r.runId),
  );
  const sign = policy.goal === "minimize" ? 1 : -1;
  const best = new Set(
    runs
      .filter((r) => Number.isFinite(r.metrics[policy.metric]))
      .sort(
        (a, b) => sign * (a.metrics[policy.metric]! - b.metrics[policy.metric]!) || b.startTime - a.startTime,
      )
      .slice(0, policy.keep_top_runs)
      .map((r) => r.runId),
  );
  const youngest = now - policy.max_age_days * DAY_MS;
  return runs.map((r) => {
    const reasons: string[] = [];
    const link = linkedRunIds.get(r.runId);
    if (link) reasons.push(`linked by data/models/${link}`);
    const stage = r.tags.stage;
    if (policy.protect_promoted && stage && PROMOTED_STAGES.includes(stage)) reasons.push(`stage=${stage}`);
    const isProtected = reasons.length > 0;
    if (newest.has(r.runId)) reasons.push(`newest ${policy.keep_last_runs}`);
    if (best.has(r.runId)) reasons.push(`best ${policy.keep_top_runs} by ${policy.metric}`);
    if (r.startTime > youngest) reasons.push(`younger than ${policy.max_age_days} days`);
    return {
      runId: r.runId,
      runName: r.runName,
      startTime: r.startTime,
      keep: reasons.length > 0,
      reasons,
      protected: isProtected,
    };
  });
}

/** What `doctor` reads to tell when hygiene last ran. */
export interface HygieneRecord {
  readonly ran_at: string;
  readonly dry_run: boolean;
  readonly delete_artifacts: boolean;
  readonly experiment: string;
  readonly runs: number;
  readonly kept: number;
  readonly deleted: number;
  readonly deleted_run_ids: readonly string[];
}

export function hygieneRecordPath(dataDir: string): string {
  return join(dataDir, "ops", "hygiene_last_run.json");
}

export function writeHygieneRecord(dataDir: string, record: HygieneRecord): string {
  const path = hygieneRecordPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

/** The last hygiene run, or undefined when it never ran (or the record is unreadable). */
export function readHygieneRecord(dataDir: string): HygieneRecord | undefined {
  const path = hygieneRecordPath(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, "utf8")) as HygieneRecord;
    return typeof r.ran_at === "string" && !Number.isNaN(Date.parse(r.ran_at)) ? r : undefined;
  } catch {
    return undefined;
  }
}
