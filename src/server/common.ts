import { FEATURES } from "../features/index.ts";
import {
  describeTrainingWindow,
  type EvalGame,
  inSampleByModel,
  type TrainingWindowLike,
} from "../registry/index.ts";
import { STAGES } from "../snapshot/index.ts";
import type { ReadDb } from "./store.ts";

/** What a page shows instead of data, with the commands that would produce it. */
export interface Setup {
  readonly message: string;
  readonly commands: readonly string[];
}

export interface TeamView {
  readonly abbr: string;
  readonly name: string;
  readonly nick: string | null;
  readonly color: string;
  readonly color2: string;
}

export interface StageInfo {
  readonly name: string;
  readonly offset_minutes: number;
}

export const STAGE_INFO: readonly StageInfo[] = STAGES.map((s) => ({
  name: s.name,
  offset_minutes: s.offsetMs / 60_000,
}));

/** A recorded run of a ladder stage: the instant it scored for and when it ran. */
export interface StageRun {
  readonly snapshotAt: number;
  readonly ranAt: number;
}

/**
 * Whether a ladder stage ran for a kickoff slot: the audit table records a run of it under the stage's
 * own time, at or after that time. A rehearsal records the instant it ran instead, and a feature build
 * (`build-features`) records no stage run, so neither counts.
 */
export function stageRan(runs: readonly StageRun[], stageTime: number): boolean {
  return runs.some((r) => r.snapshotAt === stageTime && r.ranAt >= r.snapshotAt);
}

export type StageStatus = "done" | "not_run" | "ahead";

/** A ladder stage's status at `now`: ahead until its time, then done if it ran (`stageRan`), else not run. */
export function stageStatus(
  runs: ReadonlyMap<string, readonly StageRun[]>,
  stage: string,
  stageTime: number,
  now: number,
): StageStatus {
  if (stageTime > now) return "ahead";
  return stageRan(runs.get(stage) ?? [], stageTime) ? "done" : "not_run";
}

/** The stage runs `snapshot` and `predict` recorded for one season-week (parameters: season, week). */
export const STAGE_RUNS_SQL = `SELECT DISTINCT stage, snapshot_at, created_at FROM audit
  WHERE season = ? AND week = ? AND command IN ('snapshot', 'predict') AND stage IS NOT NULL
    AND snapshot_at IS NOT NULL`;

/** `STAGE_RUNS_SQL` rows grouped by stage. */
export function stageRunsByStage(
  rows: readonly { stage: string; snapshot_at: unknown; created_at: unknown }[],
): Map<string, StageRun[]> {
  const out = new Map<string, StageRun[]>();
  for (const r of rows) {
    out.set(r.stage, [
      ...(out.get(r.stage) ?? []),
      { snapshotAt: ms(r.snapshot_at), ranAt: ms(r.created_at) },
    ]);
  }
  return out;
}

/** The NFL season an instant belongs to: the league year turns in March. */
export function seasonAt(now: number): number {
  const d = new Date(now);
  return d.getUTCMonth() >= 2 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}

/** What to run on an empty database, for the season `now` falls in. */
export function setupIngest(now: number, message = "The database has no schedules yet."): Setup {
  const s = seasonAt(now);
  return {
    message,
    commands: [
      `npx nfl-pred ingest --seasons ${s - 5}-${s} --datasets schedules,teams`,
      `npx nfl-pred build-features --seasons ${s - 5}-${s}`,
      "npx nfl-pred train",
      `npx nfl-pred snapshot --season ${s} --week <week> --full-timeline`,
    ],
  };
}

/** The setup message when the database file does not exist yet. */
export function noDatabase(path: string, now: number): Setup {
  return setupIngest(now, `No database at ${path} yet.`);
}

const HEX = /^#[0-9a-fA-F]{6}$/;

/** Team names and colours from nflverse team data, keyed by abbreviation. */
export async function loadTeams(db: ReadDb): Promise<Map<string, TeamView>> {
  const out = new Map<string, TeamView>();
  if (!db.hasTable("teams")) return out;
  const rows = await db.all<{
    team_abbr: string | null;
    team_name: string | null;
    team_nick: string | null;
    team_color: string | null;
    team_color2: string | null;
  }>("SELECT team_abbr, team_name, team_nick, team_color, team_color2 FROM teams");
  for (const r of rows) {
    if (!r.team_abbr) continue;
    out.set(r.team_abbr, {
      abbr: r.team_abbr,
      name: r.team_name ?? r.team_abbr,
      nick: r.team_nick,
      color: r.team_color && HEX.test(r.team_color) ? r.team_color : "#55606e",
      color2: r.team_color2 && HEX.test(r.team_color2) ? r.team_color2 : "#d0d5dc",
    });
  }
  return out;
}

/** A team's view, with neutral colours for an abbreviation the teams table lacks. */
export function teamView(teams: ReadonlyMap<string, TeamView>, abbr: string): TeamView {
  return teams.get(abbr) ?? { abbr, name: abbr, nick: null, color: "#55606e", color2: "#d0d5dc" };
}

/** Milliseconds since the epoch of a stored timestamp (ISO string) or number. */
export function ms(v: unknown): number {
  return typeof v === "string" ? Date.parse(v) : Number(v);
}

/** A finite number, or null for null, missing or non-numeric values. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The JSON form of every instant the API returns. */
export function iso(t: number): string {
  return new Date(t).toISOString();
}

/** The home side's result: 1 win, 0 loss, 0.5 tie; null before the game is final. */
export function homeLabel(home: unknown, away: unknown): number | null {
  const h = num(home);
  const a = num(away);
  if (h === null || a === null) return null;
  return h > a ? 1 : h < a ? 0 : 0.5;
}

const DEFS = new Map(FEATURES.map((f) => [f.name, f]));

/** A design column in words: team features enter the model as home minus away. */
export function describeColumn(column: string): string {
  const team = column.startsWith("diff_") ? DEFS.get(column.slice(5)) : undefined;
  if (team && team.scope === "team") return `home minus away: ${team.definition}`;
  return DEFS.get(column)?.definition ?? column;
}

export interface ReasonView {
  readonly feature: string;
  readonly logit: number;
  readonly description: string;
  /** The input had no value for the game: the contribution is the model's missing-value rule. */
  readonly missing: boolean;
}

/** Stored reasons (a JSON array of {feature, logit, missing?}) with their descriptions; tolerant of bad rows. */
export function readReasons(raw: unknown): ReasonView[] {
  let list: unknown = raw;
  if (typeof raw === "string") {
    try {
      list = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  const out: ReasonView[] = [];
  for (const r of list) {
    if (!r || typeof r !== "object") continue;
    const { feature, logit, missing } = r as { feature?: unknown; logit?: unknown; missing?: unknown };
    if (typeof feature !== "string" || typeof logit !== "number") continue;
    out.push({ feature, logit, description: describeColumn(feature), missing: missing === true });
  }
  return out;
}

/** Predictions shown that come from a model trained on their games (a page's "in-sample" notice). */
export interface InSampleSummary {
  readonly count: number;
  readonly detail: string;
  readonly fix: string;
}

/** A model's training window by id; undefined when its artifact is gone or unreadable. */
export type TrainingWindowOf = (modelId: string) => TrainingWindowLike | undefined;

/**
 * Which shown predictions come from a model that was trained on their games, said as `predict` says it,
 * with the backtest of `season` that gives what a model trained before each week said.
 */
export function inSampleSummary(
  games: readonly (EvalGame & { readonly modelId: string })[],
  season: number,
  trainingWindow: TrainingWindowOf | undefined,
): InSampleSummary | null {
  if (!trainingWindow) return null;
  const byModel = inSampleByModel(games, trainingWindow);
  const count = byModel.reduce((n, m) => n + m.inSample, 0);
  if (count === 0) return null;
  const parts = byModel.map((m) => `${m.inSample} by ${m.modelId} (${describeTrainingWindow(m.window)})`);
  return {
    count,
    detail: `${count} of the ${games.length} predictions come from a model trained on these games: ${parts.join("; ")}`,
    fix: `npx nfl-pred backtest --seasons ${season}`,
  };
}
