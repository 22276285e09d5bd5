import type { Database } from "./db.ts";

export interface PredictionRecord {
  readonly season: number;
  readonly week: number;
  readonly gameId: string;
  readonly homeTeam: string;
  readonly awayTeam: string;
  readonly kickoff: number;
  readonly pHome: number;
  readonly pAway: number;
  readonly pick: string;
  readonly tier: string;
  readonly modelId: string;
  readonly featureSet: string;
  readonly stage: string;
  readonly snapshotAt: number;
  readonly asOf: number;
  readonly reasons: unknown;
}

const ts = (ms: number) => new Date(ms).toISOString();

/** Upserts predictions by (game_id, model_id, snapshot_at) in one transaction: re-runs never duplicate. */
export async function writePredictions(
  db: Database,
  rows: readonly PredictionRecord[],
  createdAt: number,
): Promise<void> {
  await db.transaction(async () => {
    for (const r of rows) {
      await db.run(
        "DELETE FROM predictions WHERE game_id = ? AND model_id = ? AND snapshot_at = ?::TIMESTAMPTZ",
        [r.gameId, r.modelId, ts(r.snapshotAt)],
      );
      await db.run(
        `INSERT INTO predictions (season, week, game_id, home_team, away_team, kickoff_utc, p_home_win, p_away_win, pick, tier,
           model_id, feature_set, stage, snapshot_at, asof_ts, reasons, created_at)
         VALUES (?, ?, ?, ?, ?, ?::TIMESTAMPTZ, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?::JSON, ?::TIMESTAMPTZ)`,
        [
          r.season,
          r.week,
          r.gameId,
          r.homeTeam,
          r.awayTeam,
          ts(r.kickoff),
          r.pHome,
          r.pAway,
          r.pick,
          r.tier,
          r.modelId,
          r.featureSet,
          r.stage,
          ts(r.snapshotAt),
          ts(r.asOf),
          JSON.stringify(r.reasons),
          ts(createdAt),
        ],
      );
    }
  });
}

export interface AuditRecord {
  readonly runId: string;
  readonly command: string;
  readonly stage: string | null;
  readonly season: number | null;
  readonly week: number | null;
  readonly snapshotAt: number | null;
  readonly asOf: number | null;
  readonly modelId: string | null;
  readonly modelSha256: string | null;
  readonly codeVersion: string;
  readonly featureSpecChecksum: string | null;
  readonly datasetVersions: Readonly<Record<string, string>>;
  readonly inputRows: number;
  readonly inputHash: string;
  readonly outputRows: number;
}

export async function writeAudit(db: Database, a: AuditRecord, createdAt: number): Promise<void> {
  const t = (ms: number | null) => (ms === null ? null : ts(ms));
  await db.run(
    `INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?, ?, ?, ?, ?::JSON, ?, ?, ?, ?::TIMESTAMPTZ)`,
    [
      a.runId,
      a.command,
      a.stage,
      a.season,
      a.week,
      t(a.snapshotAt),
      t(a.asOf),
      a.modelId,
      a.modelSha256,
      a.codeVersion,
      a.featureSpecChecksum,
      JSON.stringify(a.datasetVersions),
      a.inputRows,
      a.inputHash,
      a.outputRows,
      ts(createdAt),
    ],
  );
}
