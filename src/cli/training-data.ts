import { NflPredError, seasonArgs } from "../domain/index.ts";
import type { FeatureDef, GamePair } from "../features/index.ts";
import { designMatrix, findModelFeatures } from "../features/index.ts";
import { createMatrix, type TrainData } from "../model/index.ts";
import type { Database } from "../storage/index.ts";

export interface LabelledPair extends GamePair {
  readonly homeTeam: string;
  readonly awayTeam: string;
  readonly label: number | null;
  /** Home points minus away points (null before the result). */
  readonly margin: number | null;
  readonly asOf: number;
  readonly snapshotAt: number;
  /**
   * The row was built before its own as-of time (`build-features` run ahead of the game): it lacks every
   * result that came in between, so it is an early look, not the game's T-60m features.
   */
  readonly builtEarly: boolean;
}

/**
 * A warning when completed games' feature rows were built ahead of their as-of time (see `builtEarly`),
 * naming the seasons to rebuild; undefined when there are none.
 */
export function builtEarlyWarning(pairs: readonly LabelledPair[]): string | undefined {
  const early = pairs.filter((p) => p.builtEarly && p.label !== null);
  if (early.length === 0) return undefined;
  const seasons = [...new Set(early.map((p) => p.season))].sort((a, b) => a - b);
  const weeks = (s: number) => {
    const ws = early.filter((p) => p.season === s).map((p) => p.week);
    const [lo, hi] = [Math.min(...ws), Math.max(...ws)];
    return lo === hi ? `${s} week ${lo}` : `${s} weeks ${lo}–${hi}`;
  };
  return (
    `warning: the T-60m features of ${early.length} completed game${early.length === 1 ? "" : "s"} were ` +
    `built before their T-60m (${seasons.map(weeks).join(", ")}), so they lack the results that came after; ` +
    `rebuild them: npx nfl-pred build-features --seasons ${seasonArgs(seasons)}`
  );
}

/**
 * Each game's T-60m feature pair (the canonical row at kickoff - 60 min when present, else the latest
 * T-60m row), with the home label from today's schedules (ties 0.5).
 */
export async function loadGamePairs(
  db: Database,
  featureSet: string,
  features: readonly string[],
  where: { seasons?: readonly number[]; gameIds?: readonly string[]; snapshotAt?: number } = {},
): Promise<LabelledPair[]> {
  // The Elo probability rides along for the backtest baseline even when the model does not use it.
  const loaded = [...new Set([...features, "elo_prob_home"])];
  // Feature columns are added by the first `build-features` of a set, so a set never built has none.
  const stored = new Set(await db.columns("features"));
  const absent = loaded.filter((f) => !stored.has(f));
  if (absent.length > 0) {
    const built = await db.one("SELECT 1 AS x FROM features WHERE feature_set = ? LIMIT 1", [featureSet]);
    if (!built) return [];
    throw new NflPredError(
      "SCHEMA",
      `the features table has no column ${absent.map((f) => `'${f}'`).join(", ")} for feature set ${featureSet}: its rows were built by a version without it`,
      {
        column: absent[0]!,
        hint: `rebuild the rows: npx nfl-pred build-features --seasons <seasons> --feature-set ${featureSet} --write-mode replace`,
      },
    );
  }
  const cols = loaded.map((f) => `f."${f}"`).join(", ");
  const filters = ["f.feature_set = ?"];
  const params: (string | number)[] = [featureSet];
  if (where.seasons) filters.push(`f.season IN (${where.seasons.map(Number).join(", ") || "NULL"})`);
  if (where.gameIds) filters.push(`f.game_id IN (${where.gameIds.map(() => "?").join(", ") || "NULL"})`);
  if (where.gameIds) params.push(...where.gameIds);
  const pick =
    where.snapshotAt === undefined
      ? `f.stage = 'T-60m' QUALIFY row_number() OVER (PARTITION BY f.game_id, f.team
           ORDER BY (f.snapshot_at = f.kickoff_utc - INTERVAL 60 MINUTE) DESC, f.snapshot_at DESC) = 1`
      : `f.snapshot_at = to_timestamp(${where.snapshotAt / 1000})`;
  const rows = await db.all(
    `SELECT f.game_id, f.season, f.week, f.team, f.is_home, epoch_ms(f.kickoff_utc) AS kickoff_ms,
            epoch_ms(f.asof_ts) AS asof_ms, epoch_ms(f.snapshot_at) AS snapshot_ms,
            f.built_at < f.asof_ts AS built_early,
            s.home_team, s.away_team, s.home_score, s.away_score${cols ? `, ${cols}` : ""}
     FROM features f JOIN schedules s USING (game_id)
     WHERE ${filters.join(" AND ")} AND ${pick}`,
    params,
  );
  const byGame = new Map<
    string,
    {
      home?: Record<string, number | null>;
      away?: Record<string, number | null>;
      r: (typeof rows)[number];
      early: boolean;
    }
  >();
  for (const r of rows) {
    const values: Record<string, number | null> = {};
    for (const f of loaded) values[f] = (r[f] as number | null) ?? null;
    const entry = byGame.get(String(r.game_id)) ?? { r, early: false };
    entry.early ||= r.built_early === true;
    if (r.is_home) entry.home = values;
    else entry.away = values;
    byGame.set(String(r.game_id), entry);
  }
  const out: LabelledPair[] = [];
  for (const [gameId, e] of byGame) {
    if (!e.home || !e.away) continue;
    const hs = e.r.home_score as number | null;
    const as = e.r.away_score as number | null;
    out.push({
      gameId,
      season: Number(e.r.season),
      week: Number(e.r.week),
      kickoff: Number(e.r.kickoff_ms),
      asOf: Number(e.r.asof_ms),
      snapshotAt: Number(e.r.snapshot_ms),
      builtEarly: e.early,
      homeTeam: String(e.r.home_team),
      awayTeam: String(e.r.away_team),
      home: e.home,
      away: e.away,
      label: hs === null || as === null ? null : hs > as ? 1 : hs < as ? 0 : 0.5,
      margin: hs === null || as === null ? null : hs - as,
    });
  }
  return out.sort((a, b) => a.kickoff - b.kickoff || a.gameId.localeCompare(b.gameId));
}

/** Week index that orders rows in time (weeks never exceed 22). */
export function weekIndex(season: number, week: number): number {
  return season * 100 + week;
}

/**
 * The features a model of `featureSet` uses: `names` (config `training.model_features`) when given,
 * else the set's default model view.
 */
export function resolveModelFeatures(
  featureSet: string,
  names: readonly string[] = [],
): readonly FeatureDef[] {
  const view = findModelFeatures(featureSet, names);
  if (!view) throw new NflPredError("CONFIG", `unknown feature set '${featureSet}'`, { value: featureSet });
  if (view.unknown.length > 0) {
    throw new NflPredError(
      "CONFIG",
      `training.model_features: ${view.unknown.join(", ")} not in feature set ${featureSet}`,
      { value: view.unknown.join(","), hint: "see docs/feature_spec.md for the set's features" },
    );
  }
  return view.defs;
}

/** Learners with a ridge penalty that `training.l2_grid` chooses by nested forward-chaining CV. */
export function usesL2(learner: string): boolean {
  return learner === "margin" || learner === "logistic";
}

/** Design matrix, labels, margins, time groups and optional season weights for completed games. */
export function toTrainData(
  pairs: readonly LabelledPair[],
  defs: readonly FeatureDef[],
  seasonWeights: readonly number[] = [],
): TrainData {
  const done = pairs.filter((p) => p.label !== null);
  const { names, data } = designMatrix(done, defs);
  const latest = Math.max(...done.map((p) => p.season));
  const weights =
    seasonWeights.length > 0
      ? Float64Array.from(done, (p) => seasonWeights[latest - p.season] ?? seasonWeights.at(-1) ?? 1)
      : undefined;
  return {
    X: createMatrix(done.length, names.length, data, names),
    y: Float64Array.from(done, (p) => p.label!),
    margins: Float64Array.from(done, (p) => p.margin!),
    groups: Int32Array.from(done, (p) => weekIndex(p.season, p.week)),
    ...(weights ? { weights } : {}),
  };
}

/**
 * The error for seasons that gave no T-60m rows of completed games, with the step that fixes it: no
 * schedule stored (ingest), no result stored yet (a season still ahead: pick played seasons, or refresh
 * the results), or completed games whose rows were never built (`buildHint`).
 */
export async function noCompletedRowsError(
  db: Database,
  seasons: readonly number[],
  message: string,
  buildHint: string,
): Promise<NflPredError> {
  const list = seasons.map(Number).join(", ") || "NULL";
  const [counts] = await db.all<{ games: number; scored: number; last: number | null }>(
    `SELECT count(*) FILTER (WHERE season IN (${list})) AS games,
            count(home_score) FILTER (WHERE season IN (${list})) AS scored,
            max(season) FILTER (WHERE home_score IS NOT NULL) AS last
     FROM schedules`,
  );
  const games = Number(counts?.games ?? 0);
  const scored = Number(counts?.scored ?? 0);
  const span = seasonArgs(seasons);
  if (games === 0) {
    return new NflPredError("NO_DATA", `${message}: no schedule stored for them`, {
      hint: `run \`npx nfl-pred ingest --seasons ${span}\` first`,
    });
  }
  if (scored === 0) {
    const last = counts?.last === null || counts?.last === undefined ? undefined : Number(counts.last);
    return new NflPredError("NO_DATA", `${message}: none of their ${games} games has a result stored`, {
      hint:
        (last === undefined ? "" : `the latest season with results is ${last} (e.g. --seasons ${last}); `) +
        `if the games have been played, refresh the results: \`npx nfl-pred ingest --seasons ${span} --datasets schedules\``,
    });
  }
  return new NflPredError("NO_DATA", message, { hint: buildHint });
}
