import { NflPredError } from "../../domain/index.ts";
import {
  describeUnscored,
  GAMES_SQL,
  normalizeGame,
  RESULTS_LOOKBACK_MS,
  type UnscoredSummary,
  unscoredBefore,
  vigFreeHome,
} from "../../features/index.ts";
import { STAGES } from "../../snapshot/index.ts";
import {
  homeLabel,
  type InSampleSummary,
  inSampleSummary,
  iso,
  loadTeams,
  ms,
  noDatabase,
  num,
  type ReasonView,
  readReasons,
  type Setup,
  STAGE_INFO,
  STAGE_RUNS_SQL,
  type StageInfo,
  type StageStatus,
  setupIngest,
  stageRunsByStage,
  stageStatus,
  type TeamView,
  type TrainingWindowOf,
  teamView,
} from "../common.ts";
import type { ReadDb } from "../store.ts";

export interface LadderStep {
  readonly stage: string;
  readonly stage_time: string;
  readonly status: StageStatus;
}

export interface PredictionView {
  readonly p_home_win: number;
  readonly p_away_win: number;
  readonly pick: string;
  readonly tier: string;
  readonly model_id: string;
  readonly feature_set: string;
  readonly stage: string;
  /**
   * Stored ahead of its stage's own time (a rehearsal, e.g. `snapshot --final-only` before T-60m): a real
   * prediction made before kickoff, but not the stage's.
   */
  readonly rehearsal: boolean;
  readonly snapshot_at: string;
  readonly asof_ts: string;
  readonly reasons: readonly ReasonView[];
}

export interface WeekGame {
  readonly game_id: string;
  readonly kickoff_utc: string;
  readonly home: TeamView;
  readonly away: TeamView;
  readonly home_score: number | null;
  readonly away_score: number | null;
  readonly neutral_site: boolean;
  readonly stadium: string | null;
  readonly market_p_home: number | null;
  readonly prediction: PredictionView | null;
  /** Whether the pick was right once the game is final (a tie counts as null). */
  readonly pick_correct: boolean | null;
  readonly ladder: readonly LadderStep[];
}

export interface WeekRef {
  readonly season: number;
  readonly week: number;
}

export interface WeekPage {
  readonly season: number | null;
  readonly week: number | null;
  readonly now: string;
  readonly stages: readonly StageInfo[];
  readonly prev: WeekRef | null;
  readonly next: WeekRef | null;
  readonly seasons: readonly number[];
  readonly summary: {
    readonly games: number;
    readonly predicted: number;
    readonly final: number;
    readonly correct: number;
    readonly models: readonly string[];
  };
  readonly games: readonly WeekGame[];
  /**
   * Games played before this week (or before now, if earlier) with no result stored: the week's
   * features counted them as not played. Null when every such result is there.
   */
  readonly results_missing: UnscoredSummary | null;
  /**
   * Predictions shown here that come from a model trained on these very games (a past week replayed with
   * a later model): their picks and the count of right picks are in-sample. Null when none is.
   */
  readonly in_sample: InSampleSummary | null;
  readonly setup: Setup | null;
}

// A game is "this week" until four hours after its kickoff.
const GAME_LENGTH_MS = 4 * 3600_000;

type ScheduleRow = Record<string, unknown> & {
  game_id: string;
  kickoff_utc: string;
  home_team: string;
  away_team: string;
  home_score: number | null;
  away_score: number | null;
  neutral_site: boolean | null;
  stadium: string | null;
  home_moneyline: number | null;
  away_moneyline: number | null;
};

function emptyPage(now: number, setup: Setup): WeekPage {
  return {
    season: null,
    week: null,
    now: iso(now),
    stages: STAGE_INFO,
    prev: null,
    next: null,
    seasons: [],
    summary: { games: 0, predicted: 0, final: 0, correct: 0, models: [] },
    games: [],
    results_missing: null,
    in_sample: null,
    setup,
  };
}

/**
 * The default week: the one with the next kickoff (or a game still in play); when the schedule is all
 * in the past, the latest week with predictions, else the latest scheduled week.
 */
async function defaultWeek(db: ReadDb, now: number): Promise<WeekRef | undefined> {
  const upcoming = await db.one<{ season: number; week: number }>(
    "SELECT season, week FROM schedules WHERE kickoff_utc > ?::TIMESTAMPTZ ORDER BY kickoff_utc LIMIT 1",
    [iso(now - GAME_LENGTH_MS)],
  );
  if (upcoming) return upcoming;
  const predicted = await db.one<{ season: number; week: number }>(
    "SELECT season, week FROM predictions ORDER BY season DESC, week DESC LIMIT 1",
  );
  if (predicted) return predicted;
  return db.one<{ season: number; week: number }>(
    "SELECT season, week FROM schedules ORDER BY season DESC, week DESC LIMIT 1",
  );
}

/** GET /api/predictions: the week's games, their latest predictions and where each stands on its ladder. */
export async function loadWeekPage(
  db: ReadDb | null,
  ref: WeekRef | undefined,
  ctx: {
    now: number;
    dbPath: string;
    postGameDelayMs: number;
    /** A model's training window from its artifact; undefined when the artifact cannot be read. */
    trainingWindow?: TrainingWindowOf;
  },
): Promise<WeekPage> {
  const { now } = ctx;
  if (db === null) return emptyPage(now, noDatabase(ctx.dbPath, ctx.now));
  if (!db.hasTable("schedules")) return emptyPage(now, setupIngest(now));
  const chosen = ref ?? (await defaultWeek(db, now));
  if (!chosen) return emptyPage(now, setupIngest(now));
  const { season, week } = chosen;
  const games = await db.all<ScheduleRow>(
    `SELECT game_id, kickoff_utc, home_team, away_team, home_score, away_score, neutral_site, stadium,
       home_moneyline, away_moneyline
     FROM schedules WHERE season = ? AND week = ? ORDER BY kickoff_utc, game_id`,
    [season, week],
  );
  if (games.length === 0) {
    throw new NflPredError("NOT_FOUND", `no games in the schedule for season ${season} week ${week}`, {
      hint: `run \`npx nfl-pred ingest --seasons ${season} --datasets schedules,teams\` first`,
    });
  }
  const [teams, preds, done, weeks] = [
    await loadTeams(db),
    await db.all<{
      game_id: string;
      p_home_win: number;
      p_away_win: number;
      pick: string;
      tier: string;
      model_id: string;
      feature_set: string;
      stage: string;
      snapshot_at: string;
      asof_ts: string;
      reasons: string | null;
    }>(
      `SELECT game_id, p_home_win, p_away_win, pick, tier, model_id, feature_set, stage, snapshot_at, asof_ts,
         CAST(reasons AS VARCHAR) AS reasons
       FROM predictions WHERE season = ? AND week = ?
       QUALIFY row_number() OVER (PARTITION BY game_id ORDER BY snapshot_at DESC, created_at DESC, model_id) = 1`,
      [season, week],
    ),
    await db.all<{ stage: string; snapshot_at: string; created_at: string }>(STAGE_RUNS_SQL, [season, week]),
    await db.all<{ season: number; week: number }>(
      "SELECT DISTINCT season, week FROM schedules ORDER BY season, week",
    ),
  ];
  // The same rule and wording as the warning snapshot and predict print for this week.
  const asOf = Math.min(now, ...games.map((g) => ms(g.kickoff_utc)));
  const recent = await db.all(`SELECT * FROM (${GAMES_SQL}) WHERE kickoff_ms > ? AND kickoff_ms <= ?`, [
    asOf - RESULTS_LOOKBACK_MS,
    asOf,
  ]);
  const missing = unscoredBefore(recent.map(normalizeGame), asOf, { postGameDelayMs: ctx.postGameDelayMs });
  const predBy = new Map(preds.map((p) => [p.game_id, p]));
  const runs = stageRunsByStage(done);
  const at = weeks.findIndex((w) => w.season === season && w.week === week);
  const out: WeekGame[] = games.map((g) => {
    const kickoff = ms(g.kickoff_utc);
    const p = predBy.get(g.game_id);
    const label = homeLabel(g.home_score, g.away_score);
    const prediction: PredictionView | null = p
      ? {
          p_home_win: p.p_home_win,
          p_away_win: p.p_away_win,
          pick: p.pick,
          tier: p.tier,
          model_id: p.model_id,
          feature_set: p.feature_set,
          stage: p.stage,
          rehearsal: isRehearsal(p.stage, ms(p.snapshot_at), kickoff),
          snapshot_at: p.snapshot_at,
          asof_ts: p.asof_ts,
          reasons: readReasons(p.reasons),
        }
      : null;
    return {
      game_id: g.game_id,
      kickoff_utc: iso(kickoff),
      home: teamView(teams, g.home_team),
      away: teamView(teams, g.away_team),
      home_score: num(g.home_score),
      away_score: num(g.away_score),
      neutral_site: g.neutral_site === true,
      stadium: g.stadium,
      market_p_home: vigFreeHome(num(g.home_moneyline), num(g.away_moneyline)),
      prediction,
      pick_correct:
        prediction === null || label === null || label === 0.5
          ? null
          : (prediction.pick === g.home_team) === (label === 1),
      ladder: STAGES.map((s) => {
        const t = kickoff - s.offsetMs;
        return { stage: s.name, stage_time: iso(t), status: stageStatus(runs, s.name, t, now) };
      }),
    };
  });
  const predicted = out.filter((g) => g.prediction !== null);
  const final = predicted.filter((g) => g.pick_correct !== null);
  return {
    season,
    week,
    now: iso(now),
    stages: STAGE_INFO,
    prev: at > 0 ? (weeks[at - 1] ?? null) : null,
    next: at >= 0 && at < weeks.length - 1 ? (weeks[at + 1] ?? null) : null,
    seasons: [...new Set(weeks.map((w) => w.season))],
    summary: {
      games: out.length,
      predicted: predicted.length,
      final: final.length,
      correct: final.filter((g) => g.pick_correct === true).length,
      models: [...new Set(predicted.map((g) => g.prediction!.model_id))],
    },
    games: out,
    results_missing: describeUnscored(missing, iso(asOf).replace(".000Z", "Z")) ?? null,
    in_sample: inSampleSummary(
      predicted.map((g) => ({
        gameId: g.game_id,
        season,
        week,
        kickoff: ms(g.kickoff_utc),
        modelId: g.prediction!.model_id,
      })),
      season,
      ctx.trainingWindow,
    ),
    setup:
      predicted.length > 0
        ? null
        : {
            message: `No predictions for season ${season} week ${week} yet.`,
            commands: [
              "npx nfl-pred train   # once, if data/models/ has no model",
              `npx nfl-pred snapshot --season ${season} --week ${week} --full-timeline`,
            ],
          },
  };
}

/** A ladder stage's prediction stored ahead of the stage's own time; `adhoc` (predict's early look) says so itself. */
function isRehearsal(stage: string, snapshotAt: number, kickoff: number): boolean {
  const s = STAGES.find((x) => x.name === stage);
  return s !== undefined && snapshotAt < kickoff - s.offsetMs;
}
