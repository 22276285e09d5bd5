/** One line of `nfl-pred doctor`: what was checked, whether it passed, what was found, how to fix it. */
export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** The command or step that makes it pass; empty when it passes. */
  readonly fix: string;
}

export const HOUR_MS = 3_600_000;

const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** "3.2 h", "2 d 4 h", "12 min": ages as operators read them. */
export function formatAge(ms: number): string {
  if (ms < 0) return `in ${formatAge(-ms)}`;
  if (ms < HOUR_MS) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * HOUR_MS) return `${(ms / HOUR_MS).toFixed(1)} h`;
  const days = Math.floor(ms / (24 * HOUR_MS));
  return `${days} d ${Math.round((ms - days * 24 * HOUR_MS) / HOUR_MS)} h`;
}

/**
 * A freshness check: passes when `last` is within `maxAgeMs` of `now`. Pure.
 * @example judgeAge({ name: "backup within 24 h", last, now, maxAgeMs: 24 * HOUR_MS, what: "latest backup", fix: "npx nfl-pred backup" })
 */
export function judgeAge(input: {
  name: string;
  what: string;
  last: number | undefined;
  now: number;
  maxAgeMs: number;
  fix: string;
  missing: string;
}): DoctorCheck {
  const { name, last, now, maxAgeMs } = input;
  if (last === undefined || Number.isNaN(last))
    return { name, ok: false, detail: input.missing, fix: input.fix };
  const age = now - last;
  const ok = age <= maxAgeMs;
  return {
    name,
    ok,
    detail: `${input.what} ${isoSeconds(last)} (${formatAge(age)} ago)`,
    fix: ok ? "" : input.fix,
  };
}

/** One execution of a final (T-60m) stage as the audit table records it. */
export interface FinalStageRun {
  readonly season: number;
  readonly week: number;
  /** The stage's snapshot key; for a scheduled (not rehearsal) run, kickoff − 60 min. */
  readonly snapshotAt: number;
  /** When it executed (audit created_at). */
  readonly executedAt: number;
}

export const FINAL_OFFSET_MS = 60 * 60_000;

/**
 * The runbook's "snapshot --final-only executed within 60 minutes of kickoff", precisely: take the latest
 * kickoff slot that has a scheduled final stage (snapshot_at = kickoff − 60 min; rehearsals, keyed by their
 * own run time, do not count); it passes when one of that slot's executions ran between kickoff − 60 min
 * and kickoff. A replay of the slot long after kickoff does not spoil an execution that was on time.
 * Only what can have happened by `now` counts: a stage whose time is still ahead, or an execution recorded
 * after `now`, comes from a rehearsal under a pretended clock (`snapshot --now`). Pure.
 */
export function judgeFinalSnapshot(all: readonly FinalStageRun[], now: number): DoctorCheck {
  const name = "final snapshot within 60 min of kickoff";
  const fix =
    "run `npx nfl-pred snapshot --season S --week W --final-only` between T-60m and kickoff (or keep `snapshot --wait` running)";
  const runs = all.filter((r) => r.snapshotAt <= now && r.executedAt <= now);
  if (runs.length === 0) {
    const ahead = all.length - runs.length;
    const detail =
      "no scheduled final (T-60m) snapshot in the audit table" +
      (ahead > 0 ? ` (${ahead} recorded ahead of now, under snapshot --now, do not count)` : "");
    return { name, ok: false, detail, fix };
  }
  const latest = Math.max(...runs.map((r) => r.snapshotAt));
  const slot = runs.filter((r) => r.snapshotAt === latest);
  const kickoff = latest + FINAL_OFFSET_MS;
  const onTime = slot.filter((r) => r.executedAt >= latest && r.executedAt <= kickoff);
  const first = slot.reduce((a, b) => (b.executedAt < a.executedAt ? b : a));
  const ko = isoSeconds(kickoff);
  const tag = `season ${first.season} week ${first.week}, kickoff ${ko}`;
  if (onTime.length > 0) {
    const run = onTime[0]!;
    return {
      name,
      ok: true,
      detail: `${tag}: T-60m ran ${formatAge(kickoff - run.executedAt)} before kickoff`,
      fix: "",
    };
  }
  const rel =
    first.executedAt > kickoff
      ? `${formatAge(first.executedAt - kickoff)} after kickoff`
      : `${formatAge(kickoff - first.executedAt)} before kickoff`;
  return { name, ok: false, detail: `${tag}: T-60m first ran ${rel}`, fix };
}
