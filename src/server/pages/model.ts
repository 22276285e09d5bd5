import { NflPredError, seasonPhase } from "../../domain/index.ts";
import { vigFreeHome } from "../../features/index.ts";
import {
  homeLabel,
  type InSampleSummary,
  inSampleSummary,
  ms,
  noDatabase,
  num,
  type Setup,
  setupIngest,
  type TrainingWindowOf,
} from "../common.ts";
import {
  type BinView,
  byPhase,
  bySeason,
  type PhaseView,
  reliabilityOf,
  type ScoredGame,
  type Scores,
  scoresOf,
  type WeekCurvePoint,
  weeklyCurves,
} from "../metrics.ts";
import type { ReadDb } from "../store.ts";

export interface SeasonView {
  readonly n: number;
  readonly totals: Scores;
  readonly weekly: readonly WeekCurvePoint[];
  readonly reliability: readonly BinView[];
}

export interface BacktestRun {
  readonly run_id: string;
  readonly n: number;
  readonly first_season: number;
  readonly last_season: number;
  readonly feature_set: string;
}

export interface ModelPage {
  readonly season: number | null;
  /** Seasons with stored predictions of final games. */
  readonly live_seasons: readonly number[];
  readonly rolling_weeks: number;
  /** The season's stored predictions (latest before kickoff per game) against the results. */
  readonly live: (SeasonView & { readonly models: readonly string[] }) | null;
  /** Stored predictions of the season that come from a model trained on their games. */
  readonly in_sample: InSampleSummary | null;
  readonly backtest: {
    readonly run: BacktestRun;
    readonly runs: readonly BacktestRun[];
    readonly by_season: readonly ({ season: number } & Scores)[];
    readonly by_phase: readonly PhaseView[];
    readonly totals: Scores;
    readonly reliability: readonly BinView[];
    /** The chosen season inside the backtest, when it covers it. */
    readonly season: SeasonView | null;
  } | null;
  readonly reports: readonly Record<string, unknown>[];
  readonly setup: Setup | null;
  /** What to run for the season-by-season comparison when no backtest is stored. */
  readonly backtest_setup: Setup | null;
}

const STAMP = /(\d{8}T\d{6}Z)$/;

function empty(rollingWeeks: number, setup: Setup): ModelPage {
  return {
    season: null,
    live_seasons: [],
    rolling_weeks: rollingWeeks,
    live: null,
    in_sample: null,
    backtest: null,
    reports: [],
    setup,
    backtest_setup: null,
  };
}

function seasonView(games: readonly ScoredGame[], rollingWeeks: number): SeasonView {
  return {
    n: games.length,
    totals: scoresOf(games),
    weekly: weeklyCurves(games, rollingWeeks),
    reliability: reliabilityOf(games),
  };
}

interface LiveGame extends ScoredGame {
  readonly gameId: string;
  readonly kickoff: number;
  readonly modelId: string;
}

async function liveGames(db: ReadDb, season: number): Promise<{ games: LiveGame[]; models: string[] }> {
  const elo = db.hasColumn("features", "elo_prob_home") ? "f.elo_prob_home" : "NULL";
  const rows = await db.all<{
    game_id: string;
    kickoff_utc: unknown;
    week: number;
    model_id: string;
    p_home_win: number;
    home_score: number | null;
    away_score: number | null;
    home_moneyline: number | null;
    away_moneyline: number | null;
    p_elo: number | null;
  }>(
    `WITH p AS (
       SELECT game_id, week, model_id, feature_set, p_home_win, snapshot_at FROM predictions
       WHERE season = ? AND snapshot_at <= kickoff_utc
       QUALIFY row_number() OVER (
         PARTITION BY game_id ORDER BY stage = 'T-60m' DESC, snapshot_at DESC, created_at DESC, model_id
       ) = 1
     )
     SELECT p.game_id, s.kickoff_utc, p.week, p.model_id, p.p_home_win, s.home_score, s.away_score,
       s.home_moneyline, s.away_moneyline, ${elo} AS p_elo
     FROM p JOIN schedules s ON s.game_id = p.game_id
     LEFT JOIN features f ON f.game_id = p.game_id AND f.snapshot_at = p.snapshot_at
       AND f.feature_set = p.feature_set AND f.is_home
     WHERE s.home_score IS NOT NULL AND s.away_score IS NOT NULL
     ORDER BY p.week`,
    [season],
  );
  return {
    models: [...new Set(rows.map((r) => r.model_id))],
    games: rows.map((r) => ({
      gameId: r.game_id,
      kickoff: ms(r.kickoff_utc),
      modelId: r.model_id,
      season,
      week: r.week,
      y: homeLabel(r.home_score, r.away_score)!,
      model: r.p_home_win,
      elo: num(r.p_elo),
      market: vigFreeHome(num(r.home_moneyline), num(r.away_moneyline)),
    })),
  };
}

/**
 * GET /api/model: reliability, season-to-date and rolling Brier and log loss of the model against Elo
 * and the market (stored predictions of the season, and the latest walk-forward backtest), and the
 * backtest by season.
 */
export async function loadModelPage(
  db: ReadDb | null,
  q: { season?: number; runId?: string },
  ctx: { dbPath: string; rollingWeeks: number; now: number; trainingWindow?: TrainingWindowOf },
): Promise<ModelPage> {
  const k = ctx.rollingWeeks;
  if (db === null) return empty(k, noDatabase(ctx.dbPath, ctx.now));
  if (!db.hasTable("schedules")) return empty(k, setupIngest(ctx.now));
  const liveSeasons = (
    await db.all<{ season: number }>(
      `SELECT DISTINCT p.season FROM predictions p JOIN schedules s ON s.game_id = p.game_id
       WHERE s.home_score IS NOT NULL ORDER BY p.season`,
    )
  ).map((r) => r.season);
  const runs = (
    await db.all<BacktestRun & Record<string, unknown>>(
      `SELECT run_id, count(*) AS n, min(season) AS first_season, max(season) AS last_season,
         min(feature_set) AS feature_set
       FROM backtest_predictions GROUP BY run_id`,
    )
  ).sort(
    (a, b) =>
      (STAMP.exec(b.run_id)?.[1] ?? "").localeCompare(STAMP.exec(a.run_id)?.[1] ?? "") ||
      b.run_id.localeCompare(a.run_id),
  );
  let run = runs[0];
  if (q.runId !== undefined) {
    run = runs.find((r) => r.run_id === q.runId);
    if (!run) {
      throw new NflPredError("NOT_FOUND", `no backtest run '${q.runId}'`, {
        value: q.runId,
        hint:
          runs.length > 0
            ? `runs: ${runs.map((r) => r.run_id).join(", ")}`
            : "run `npx nfl-pred backtest` first",
      });
    }
  }
  const season = q.season ?? liveSeasons.at(-1) ?? run?.last_season ?? null;

  let live: ModelPage["live"] = null;
  let inSample: InSampleSummary | null = null;
  if (season !== null) {
    const { games, models } = await liveGames(db, season);
    if (games.length > 0) live = { ...seasonView(games, k), models };
    inSample = inSampleSummary(games, season, ctx.trainingWindow);
  }

  let backtest: ModelPage["backtest"] = null;
  if (run) {
    const rows = await db.all<{
      season: number;
      week: number;
      p_home_win: number;
      label: number;
      p_elo: number | null;
      p_market: number | null;
      game_type: string | null;
    }>(
      `SELECT b.season, b.week, b.p_home_win, b.label, b.p_elo, b.p_market, s.game_type
       FROM backtest_predictions b LEFT JOIN schedules s ON s.game_id = b.game_id
       WHERE b.run_id = ? AND b.label IS NOT NULL`,
      [run.run_id],
    );
    const games: ScoredGame[] = rows.map((r) => ({
      season: r.season,
      week: r.week,
      y: r.label,
      model: r.p_home_win,
      elo: num(r.p_elo),
      market: num(r.p_market),
      ...(r.game_type === null ? {} : { phase: seasonPhase(r.week, r.game_type) }),
    }));
    const inSeason = games.filter((g) => g.season === season);
    backtest = {
      run,
      runs,
      by_season: bySeason(games),
      by_phase: byPhase(games),
      totals: scoresOf(games),
      reliability: reliabilityOf(games),
      season: inSeason.length > 0 ? seasonView(inSeason, k) : null,
    };
  }

  const reports =
    season !== null && db.hasTable("reports")
      ? await db.all(
          `SELECT season, week, metric_window, segment, brier_score, log_loss, accuracy, ece, n FROM reports
           WHERE season = ? ORDER BY week, metric_window, segment`,
          [season],
        )
      : [];

  let setup: Setup | null = null;
  if (!live && !backtest) {
    setup = {
      message:
        season === null
          ? "No predictions of finished games and no backtest yet."
          : `No predictions of finished games in season ${season} and no backtest yet.`,
      commands: [
        "npx nfl-pred backtest --seasons 2015-2024",
        ...(season === null ? [] : [`npx nfl-pred snapshot --season ${season} --week 1 --full-timeline`]),
      ],
    };
  }
  const backtestSetup: Setup | null =
    backtest || setup
      ? null
      : {
          message: "No walk-forward backtest stored yet: it compares model, Elo and market season by season.",
          commands: [
            `npx nfl-pred backtest --seasons ${season === null ? "2015-2024" : `${season - 5}-${season}`}`,
          ],
        };
  return {
    season,
    live_seasons: liveSeasons,
    rolling_weeks: k,
    live,
    in_sample: inSample,
    backtest,
    reports,
    setup,
    backtest_setup: backtestSetup,
  };
}
