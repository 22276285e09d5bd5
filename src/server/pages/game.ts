import { NflPredError } from "../../domain/index.ts";
import {
  type FeatureDef,
  type FeatureRow,
  findFeatureSet,
  spreadToProbability,
  vigFreeHome,
} from "../../features/index.ts";
import {
  artifactPath,
  countInSample,
  describeTrainingWindow,
  type StoredArtifact,
} from "../../registry/index.ts";
import { predictGames, STAGES } from "../../snapshot/index.ts";
import type { ArtifactCache } from "../artifacts.ts";
import {
  describeColumn,
  homeLabel,
  iso,
  loadTeams,
  ms,
  noDatabase,
  num,
  type ReasonView,
  readReasons,
  type Setup,
  STAGE_RUNS_SQL,
  type StageStatus,
  setupIngest,
  stageRunsByStage,
  stageStatus,
  type TeamView,
  teamView,
} from "../common.ts";
import type { ReadDb } from "../store.ts";

export interface GameStage {
  readonly stage: string;
  readonly stage_time: string;
  readonly status: StageStatus;
  readonly snapshot_at: string | null;
  /** The stored prediction of this stage, else the model's score of the stage's stored features. */
  readonly p_model: number | null;
  readonly p_model_source: "stored" | "rescored" | null;
  readonly p_elo: number | null;
  /** The market as the features saw it at this stage (market feature sets only). */
  readonly p_market: number | null;
}

export interface Contribution {
  readonly feature: string;
  readonly description: string;
  readonly logit: number;
  readonly home_value: number | null;
  readonly away_value: number | null;
}

export interface GamePage {
  readonly game: {
    readonly game_id: string;
    readonly season: number;
    readonly week: number;
    readonly kickoff_utc: string;
    readonly home: TeamView;
    readonly away: TeamView;
    readonly home_score: number | null;
    readonly away_score: number | null;
    readonly home_win: number | null;
    readonly neutral_site: boolean;
    readonly stadium: string | null;
    readonly spread_line: number | null;
    readonly home_moneyline: number | null;
    readonly away_moneyline: number | null;
  } | null;
  readonly market: { readonly p_home_moneyline: number | null; readonly p_home_spread: number | null };
  readonly model_id: string | null;
  readonly feature_set: string | null;
  readonly ladder: readonly GameStage[];
  readonly predictions: readonly {
    readonly stage: string;
    readonly snapshot_at: string;
    readonly model_id: string;
    readonly p_home_win: number;
    readonly pick: string;
    readonly tier: string;
    readonly reasons: readonly ReasonView[];
    readonly created_at: string;
  }[];
  readonly contributions: {
    readonly stage: string;
    readonly snapshot_at: string;
    readonly source: "rescored" | "stored";
    readonly items: readonly Contribution[];
  } | null;
  readonly notes: readonly string[];
  readonly setup: Setup | null;
}

const EMPTY_MARKET = { p_home_moneyline: null, p_home_spread: null };

function emptyGame(setup: Setup): GamePage {
  return {
    game: null,
    market: EMPTY_MARKET,
    model_id: null,
    feature_set: null,
    ladder: [],
    predictions: [],
    contributions: null,
    notes: [],
    setup,
  };
}

type FeatureDbRow = Record<string, unknown> & {
  team: string;
  is_home: boolean;
  feature_set: string;
  stage: string | null;
  snapshot_at: string;
  asof_ts: string;
  season: number;
  week: number;
  game_id: string;
  opponent: string;
  kickoff_utc: string;
};

function toFeatureRow(r: FeatureDbRow, defs: readonly FeatureDef[]): FeatureRow {
  return {
    season: r.season,
    week: r.week,
    gameId: r.game_id,
    team: r.team,
    opponent: r.opponent,
    isHome: r.is_home,
    kickoff: ms(r.kickoff_utc),
    asOf: ms(r.asof_ts),
    label: null,
    values: Object.fromEntries(defs.map((d) => [d.name, num(r[d.name])])),
  };
}

/** The rows of one stage: its scheduled snapshot if stored, else its latest (a rehearsal). */
function stageRows(rows: readonly FeatureDbRow[], stage: string, stageTime: number): FeatureDbRow[] {
  const ofStage = rows.filter((r) => r.stage === stage);
  if (ofStage.length === 0) return [];
  const exact = ofStage.filter((r) => ms(r.snapshot_at) === stageTime);
  if (exact.length > 0) return exact;
  const latest = Math.max(...ofStage.map((r) => ms(r.snapshot_at)));
  return ofStage.filter((r) => ms(r.snapshot_at) === latest);
}

function score(
  model: StoredArtifact,
  defs: readonly FeatureDef[],
  rows: readonly FeatureDbRow[],
): { pHome: number; contributions: Record<string, number> } | null {
  const home = rows.find((r) => r.is_home);
  const away = rows.find((r) => !r.is_home);
  if (!home || !away) return null;
  const [p] = predictGames(model.artifact, defs, [toFeatureRow(home, defs), toFeatureRow(away, defs)]);
  return p ? { pHome: p.pHome, contributions: p.contributions } : null;
}

/**
 * GET /api/game: one game across its ladder — stored predictions, the model's score of each stage's stored
 * features, Elo, the market, and the feature contributions behind the latest probability.
 */
export async function loadGamePage(
  db: ReadDb | null,
  gameId: string,
  ctx: {
    now: number;
    dbPath: string;
    modelsDir: string;
    defaultFeatureSet: string;
    artifacts: ArtifactCache;
  },
): Promise<GamePage> {
  if (db === null) return emptyGame(noDatabase(ctx.dbPath, ctx.now));
  if (!db.hasTable("schedules")) return emptyGame(setupIngest(ctx.now));
  const g = await db.one<{
    game_id: string;
    season: number;
    week: number;
    kickoff_utc: string;
    home_team: string;
    away_team: string;
    home_score: number | null;
    away_score: number | null;
    neutral_site: boolean | null;
    stadium: string | null;
    spread_line: number | null;
    home_moneyline: number | null;
    away_moneyline: number | null;
  }>(
    `SELECT game_id, season, week, kickoff_utc, home_team, away_team, home_score, away_score, neutral_site,
       stadium, spread_line, home_moneyline, away_moneyline
     FROM schedules WHERE game_id = ?`,
    [gameId],
  );
  if (!g) {
    const any = await db.one("SELECT 1 AS x FROM schedules LIMIT 1");
    if (!any) return emptyGame(setupIngest(ctx.now));
    throw new NflPredError("NOT_FOUND", `no game ${gameId} in the schedule`, {
      value: gameId,
      hint: "pick a game from the week view, or ingest its season",
    });
  }
  const teams = await loadTeams(db);
  const preds = await db.all<{
    stage: string;
    snapshot_at: string;
    model_id: string;
    feature_set: string;
    p_home_win: number;
    pick: string;
    tier: string;
    reasons: string | null;
    created_at: string;
  }>(
    `SELECT stage, snapshot_at, model_id, feature_set, p_home_win, pick, tier, CAST(reasons AS VARCHAR) AS reasons,
       created_at
     FROM predictions WHERE game_id = ? ORDER BY snapshot_at, created_at, model_id`,
    [gameId],
  );
  const latest = preds.at(-1);
  const featureRows = await db.all<FeatureDbRow>(
    "SELECT * FROM features WHERE game_id = ? ORDER BY snapshot_at, team",
    [gameId],
  );
  const sets = [...new Set(featureRows.map((r) => r.feature_set))];
  const featureSet =
    latest?.feature_set ?? (sets.includes(ctx.defaultFeatureSet) ? ctx.defaultFeatureSet : sets[0]) ?? null;
  const rows = featureRows.filter((r) => r.feature_set === featureSet);
  const notes: string[] = [];

  const modelId = latest?.model_id ?? null;
  let model: StoredArtifact | null = null;
  let defs: readonly FeatureDef[] | undefined;
  if (modelId) {
    const read = ctx.artifacts.read(artifactPath(ctx.modelsDir, modelId));
    if (read instanceof Error)
      notes.push(`model ${modelId} cannot be read (${read.message}); stages show stored predictions only`);
    else {
      model = read;
      defs = findFeatureSet(read.artifact.featureSet);
      if (!defs)
        notes.push(`feature set ${read.artifact.featureSet} of model ${modelId} is unknown to this version`);
    }
  }
  const rescore = (stageFeatures: readonly FeatureDbRow[]) => {
    if (!model || !defs || stageFeatures.length === 0) return null;
    try {
      return score(model, defs, stageFeatures);
    } catch (e) {
      const msg = `cannot score stored features with model ${model.artifact.modelId}: ${(e as Error).message}`;
      if (!notes.includes(msg)) notes.push(msg);
      return null;
    }
  };

  const kickoff = ms(g.kickoff_utc);
  const window = model?.artifact.trainingWindow;
  if (
    model &&
    window &&
    countInSample([{ gameId: g.game_id, season: g.season, week: g.week, kickoff }], window) > 0
  ) {
    // The week and model views say the same of their games (an "In-sample predictions" panel).
    notes.push(
      `this game is in the training window of ${model.artifact.modelId} (${describeTrainingWindow(window)}): ` +
        `it learned this result, so its probabilities here are in-sample; \`npx nfl-pred backtest --seasons ${g.season}\` ` +
        "gives what a model trained before its week said",
    );
  }
  const runs = stageRunsByStage(
    await db.all<{ stage: string; snapshot_at: string; created_at: string }>(STAGE_RUNS_SQL, [
      g.season,
      g.week,
    ]),
  );
  const ladder: GameStage[] = STAGES.map((s) => {
    const t = kickoff - s.offsetMs;
    const sr = stageRows(rows, s.name, t);
    const stored = [...preds].reverse().find((p) => p.stage === s.name && p.model_id === modelId);
    const home = sr.find((r) => r.is_home);
    const snapshot = stored?.snapshot_at ?? home?.snapshot_at ?? null;
    const rescored = stored ? null : rescore(sr);
    return {
      stage: s.name,
      stage_time: iso(t),
      status: stageStatus(runs, s.name, t, ctx.now),
      snapshot_at: snapshot === null ? null : iso(ms(snapshot)),
      p_model: stored ? stored.p_home_win : (rescored?.pHome ?? null),
      p_model_source: stored ? "stored" : rescored ? "rescored" : null,
      p_elo: num(home?.elo_prob_home),
      p_market: num(home?.ml_prob_home),
    };
  });

  let contributions: GamePage["contributions"] = null;
  if (latest) {
    const at = ms(latest.snapshot_at);
    const sr = rows.filter((r) => ms(r.snapshot_at) === at);
    const scored = rescore(sr);
    if (scored && defs) {
      const home = sr.find((r) => r.is_home);
      const away = sr.find((r) => !r.is_home);
      const byColumn = new Map(
        defs.map((d) => [
          d.scope === "team" ? `diff_${d.name}` : d.name,
          {
            home: num(home?.[d.name]),
            away: d.scope === "team" ? num(away?.[d.name]) : null,
          },
        ]),
      );
      contributions = {
        stage: latest.stage,
        snapshot_at: iso(at),
        source: "rescored",
        items: Object.entries(scored.contributions)
          .map(([feature, logit]) => ({
            feature,
            description: describeColumn(feature),
            logit,
            home_value: byColumn.get(feature)?.home ?? null,
            away_value: byColumn.get(feature)?.away ?? null,
          }))
          .sort((a, b) => Math.abs(b.logit) - Math.abs(a.logit)),
      };
      if (Math.abs(scored.pHome - latest.p_home_win) > 1e-9) {
        notes.push(
          `re-scoring the stored features gives ${scored.pHome.toFixed(4)}, the stored prediction ${latest.p_home_win.toFixed(4)}`,
        );
      }
    } else {
      contributions = {
        stage: latest.stage,
        snapshot_at: iso(at),
        source: "stored",
        items: readReasons(latest.reasons).map((r) => ({ ...r, home_value: null, away_value: null })),
      };
    }
  }

  return {
    game: {
      game_id: g.game_id,
      season: g.season,
      week: g.week,
      kickoff_utc: iso(kickoff),
      home: teamView(teams, g.home_team),
      away: teamView(teams, g.away_team),
      home_score: num(g.home_score),
      away_score: num(g.away_score),
      home_win: homeLabel(g.home_score, g.away_score),
      neutral_site: g.neutral_site === true,
      stadium: g.stadium,
      spread_line: num(g.spread_line),
      home_moneyline: num(g.home_moneyline),
      away_moneyline: num(g.away_moneyline),
    },
    market: {
      p_home_moneyline: vigFreeHome(num(g.home_moneyline), num(g.away_moneyline)),
      p_home_spread: num(g.spread_line) === null ? null : spreadToProbability(num(g.spread_line)!),
    },
    model_id: modelId,
    feature_set: featureSet,
    ladder,
    predictions: preds.map((p) => ({
      stage: p.stage,
      snapshot_at: iso(ms(p.snapshot_at)),
      model_id: p.model_id,
      p_home_win: p.p_home_win,
      pick: p.pick,
      tier: p.tier,
      reasons: readReasons(p.reasons),
      created_at: iso(ms(p.created_at)),
    })),
    contributions,
    notes,
    setup:
      preds.length > 0
        ? null
        : {
            message: `No prediction for ${gameId} yet.`,
            commands: [`npx nfl-pred snapshot --season ${g.season} --week ${g.week} --full-timeline`],
          },
  };
}
