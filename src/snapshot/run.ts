import { createHash, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FeatureDef, FeatureRow, Target } from "../features/index.ts";
import { type StoredArtifact, writeAtomic } from "../registry/index.ts";
import { type Database, writeAudit, writeFeatureRows, writePredictions } from "../storage/index.ts";
import type { StageRun } from "./plan.ts";
import { type GamePrediction, predictGames, summarizeContributions } from "./predict.ts";

export interface StageEnv {
  readonly db: Database;
  /** Builds feature rows from sources indexed once (see createFeatureBuilder). */
  readonly buildRows: (targets: readonly Target[]) => FeatureRow[];
  readonly featureSet: string;
  readonly defs: readonly FeatureDef[];
  readonly model: StoredArtifact | null;
  readonly codeVersion: string;
  readonly featureSpecChecksum: string;
  readonly datasetVersions: Readonly<Record<string, string>>;
  readonly shapDir: string;
  /** The clock the command runs under (`snapshot --now` pretends one): audit and prediction times. */
  readonly now: number;
  /**
   * The real time: a feature row's built_at. It must never be pretended, or a row built from today's data
   * for a stage still ahead would pass for one built at its stage (see LabelledPair.builtEarly).
   */
  readonly wallClock: number;
  readonly command: "snapshot" | "predict";
}

export interface StageResult {
  readonly run: StageRun;
  readonly featureRows: number;
  readonly predictions: GamePrediction[];
  readonly inputHash: string;
}

/**
 * One stage for one kickoff slot: build the games' features as of the stage's cutoff, store them under the
 * stage's snapshot key, and at T-60m (or for `predict`) score them, store predictions and explanations.
 * Idempotent: the same stage run again replaces its own rows and nothing else.
 */
export async function executeStage(
  env: StageEnv,
  run: StageRun,
  season: number,
  week: number,
): Promise<StageResult> {
  const rows = env.buildRows(run.gameIds.map((gameId) => ({ gameId, asOf: run.asOf })));
  const names = env.defs.map((d) => d.name);
  await writeFeatureRows(
    env.db,
    // A stage row is pre-game by construction: its result is never visible yet, so no label.
    rows.map((r) => ({ ...r, label: null, snapshotAt: run.snapshotAt, stage: run.stage })),
    { featureSet: env.featureSet, features: names, mode: "append", builtAt: env.wallClock },
  );
  const inputHash = hashRows(rows, names);
  let predictions: GamePrediction[] = [];
  const scores = run.stage === "T-60m" || env.command === "predict";
  if (scores && env.model) {
    const a = env.model.artifact;
    predictions = predictGames(a, env.defs, rows);
    await writePredictions(
      env.db,
      predictions.map((p) => ({
        season: p.season,
        week: p.week,
        gameId: p.gameId,
        homeTeam: p.homeTeam,
        awayTeam: p.awayTeam,
        kickoff: p.kickoff,
        pHome: p.pHome,
        pAway: p.pAway,
        pick: p.pick,
        tier: p.tier,
        modelId: a.modelId,
        featureSet: env.featureSet,
        stage: run.stage,
        snapshotAt: run.snapshotAt,
        asOf: p.asOf,
        reasons: p.reasons,
      })),
      env.now,
    );
  }
  await writeAudit(
    env.db,
    {
      runId: randomUUID(),
      command: env.command,
      stage: run.stage,
      season,
      week,
      snapshotAt: run.snapshotAt,
      asOf: run.asOf,
      modelId: env.model?.artifact.modelId ?? null,
      modelSha256: env.model?.sha256 ?? null,
      codeVersion: env.codeVersion,
      featureSpecChecksum: env.featureSpecChecksum,
      datasetVersions: env.datasetVersions,
      inputRows: rows.length,
      inputHash,
      outputRows: predictions.length,
    },
    env.now,
  );
  return { run, featureRows: rows.length, predictions, inputHash };
}

/** Order-independent hash of feature rows: each row hashed, the sorted digests hashed again. */
export function hashRows(rows: readonly FeatureRow[], names: readonly string[]): string {
  const digests = rows
    .map((r) =>
      createHash("sha256")
        .update(JSON.stringify([r.gameId, r.team, r.asOf, names.map((n) => r.values[n] ?? null)]))
        .digest("hex"),
    )
    .sort();
  return createHash("sha256").update(digests.join("\n")).digest("hex");
}

/** The week's explanation summary: a CSV of every game's reasons and mean |contribution|, and a bar chart. */
export async function writeExplanations(
  shapDir: string,
  season: number,
  week: number,
  modelId: string,
  preds: readonly GamePrediction[],
): Promise<{ csv: string; png: string }> {
  const base = join(shapDir, `shap_s${season}_w${String(week).padStart(2, "0")}_${modelId}`);
  const summary = summarizeContributions(preds);
  const lines = ["kind,game_id,feature,contribution_logit"];
  for (const s of summary) lines.push(`mean_abs,,${s.feature},${s.meanAbs.toFixed(6)}`);
  for (const p of preds) {
    for (const [f, v] of Object.entries(p.contributions)) lines.push(`game,${p.gameId},${f},${v.toFixed(6)}`);
  }
  mkdirSync(shapDir, { recursive: true });
  writeAtomic(`${base}.csv`, `${lines.join("\n")}\n`);
  // Charts load vega and resvg (~0.7 s): only when a chart is drawn.
  const { barSpec, renderPng, writePngAtomic } = await import("../charts/index.ts");
  await writePngAtomic(
    `${base}.png`,
    await renderPng(
      barSpec({
        title: `Feature contributions, season ${season} week ${week} (mean |logit|)`,
        xTitle: "Mean absolute contribution (logit points)",
        yTitle: "Feature",
        data: summary.slice(0, 15).map((s) => ({ label: s.feature, value: s.meanAbs })),
      }),
    ),
  );
  return { csv: `${base}.csv`, png: `${base}.png` };
}
