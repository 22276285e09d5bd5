import type { Database } from "./db.ts";

/** A stored T-60m prediction with the game's result when known (home perspective; a tie is 0.5). */
export interface ScoredPrediction {
  readonly season: number;
  readonly week: number;
  readonly gameId: string;
  readonly homeTeam: string;
  readonly awayTeam: string;
  /** Kickoff instant in ms (UTC). */
  readonly kickoff: number;
  readonly pHome: number;
  readonly modelId: string;
  /** 1 home win, 0 away win, 0.5 tie, null not played (or no score yet). */
  readonly label: number | null;
}

/**
 * The scored prediction of each game of the given seasons: the latest T-60m prediction, preferring the
 * `preferModelId` (the promoted model) when it scored the game, then the canonical row at kickoff - 60 min,
 * then the newest `created_at`. Joined with today's schedules for the result.
 */
export async function loadScoredPredictions(
  db: Database,
  seasons: readonly number[],
  preferModelId: string | null,
): Promise<ScoredPrediction[]> {
  if (seasons.length === 0) return [];
  const rows = await db.all(
    `SELECT p.season, p.week, p.game_id, p.home_team, p.away_team, p.p_home_win, p.model_id,
            epoch_ms(p.kickoff_utc) AS kickoff_ms, s.home_score, s.away_score
     FROM predictions p LEFT JOIN schedules s USING (game_id)
     WHERE p.stage = 'T-60m' AND p.season IN (${seasons.map(Number).join(", ")})
     QUALIFY row_number() OVER (PARTITION BY p.game_id
       ORDER BY (p.model_id = ?) DESC, (p.snapshot_at = p.kickoff_utc - INTERVAL 60 MINUTE) DESC,
                p.created_at DESC, p.snapshot_at DESC) = 1
     ORDER BY p.season, p.week, p.kickoff_utc, p.game_id`,
    [preferModelId ?? ""],
  );
  return rows.map((r) => {
    const hs = r.home_score as number | null;
    const as = r.away_score as number | null;
    return {
      season: Number(r.season),
      week: Number(r.week),
      gameId: String(r.game_id),
      homeTeam: String(r.home_team),
      awayTeam: String(r.away_team),
      kickoff: Number(r.kickoff_ms),
      pHome: Number(r.p_home_win),
      modelId: String(r.model_id),
      label: hs === null || as === null ? null : hs > as ? 1 : hs < as ? 0 : 0.5,
    };
  });
}

/** One row of the `reports` table. Non-finite metrics are stored as NULL. */
export interface ReportRecord {
  readonly metricWindow: string;
  readonly segment: string;
  readonly brierScore: number;
  readonly logLoss: number;
  readonly accuracy: number;
  readonly ece: number;
  readonly n: number;
}

/** Replaces the report rows of one season-week (by its whole key) in one transaction: re-runs never duplicate. */
export async function writeReportRows(
  db: Database,
  season: number,
  week: number,
  rows: readonly ReportRecord[],
  createdAt: number,
): Promise<void> {
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  await db.transaction(async () => {
    for (const r of rows) {
      await db.run(
        "DELETE FROM reports WHERE season = ? AND week = ? AND metric_window = ? AND segment = ?",
        [season, week, r.metricWindow, r.segment],
      );
      await db.run("INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ)", [
        season,
        week,
        r.metricWindow,
        r.segment,
        num(r.brierScore),
        num(r.logLoss),
        num(r.accuracy),
        num(r.ece),
        r.n,
        new Date(createdAt).toISOString(),
      ]);
    }
  });
}

/** A feature-table row reduced to its keys and the requested feature values. */
export interface FeatureValues {
  readonly season: number;
  readonly week: number;
  readonly gameId: string;
  readonly team: string;
  readonly values: Readonly<Record<string, number | null>>;
}

/**
 * The canonical T-60m feature rows (one per game and team: the row at kickoff - 60 min when present, else
 * the latest T-60m row) of the given season-weeks. Features absent from the table are left out of
 * `present` and of the values.
 */
export async function loadT60FeatureValues(
  db: Database,
  featureSet: string,
  features: readonly string[],
  weeks: readonly { readonly season: number; readonly fromWeek: number; readonly toWeek: number }[],
): Promise<{ rows: FeatureValues[]; present: string[] }> {
  const existing = new Set(await db.columns("features"));
  const present = features.filter((f) => existing.has(f));
  if (weeks.length === 0) return { rows: [], present };
  const ranges = weeks
    .map(
      (w) => `(season = ${Number(w.season)} AND week BETWEEN ${Number(w.fromWeek)} AND ${Number(w.toWeek)})`,
    )
    .join(" OR ");
  const cols = present.map((f) => `"${f}"`).join(", ");
  const rows = await db.all(
    `SELECT season, week, game_id, team${cols ? `, ${cols}` : ""}
     FROM features
     WHERE feature_set = ? AND stage = 'T-60m' AND (${ranges})
     QUALIFY row_number() OVER (PARTITION BY game_id, team
       ORDER BY (snapshot_at = kickoff_utc - INTERVAL 60 MINUTE) DESC, snapshot_at DESC) = 1
     ORDER BY season, week, game_id, team`,
    [featureSet],
  );
  return {
    present,
    rows: rows.map((r) => {
      const values: Record<string, number | null> = {};
      for (const f of present) values[f] = (r[f] as number | null) ?? null;
      return {
        season: Number(r.season),
        week: Number(r.week),
        gameId: String(r.game_id),
        team: String(r.team),
        values,
      };
    }),
  };
}

/** True when an alert with this key already went out on this channel. */
export async function isAlertSent(db: Database, channel: string, dedupKey: string): Promise<boolean> {
  const row = await db.one("SELECT 1 AS x FROM alerts_sent WHERE channel = ? AND dedup_key = ?", [
    channel,
    dedupKey,
  ]);
  return row !== undefined;
}

export interface AlertSentRecord {
  readonly channel: string;
  readonly dedupKey: string;
  readonly season: number | null;
  readonly week: number | null;
  readonly kind: string;
  /** What was said (never a URL, key or other secret). */
  readonly summary: string;
}

/** Records a delivered alert; a second record with the same channel and key is ignored. */
export async function recordAlertSent(db: Database, a: AlertSentRecord, sentAt: number): Promise<void> {
  await db.run("INSERT OR IGNORE INTO alerts_sent VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ)", [
    a.channel,
    a.dedupKey,
    a.season,
    a.week,
    a.kind,
    a.summary,
    new Date(sentAt).toISOString(),
  ]);
}
