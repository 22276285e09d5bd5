import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import type { Config } from "../../config/index.ts";
import { isNflPredError } from "../../domain/index.ts";
import {
  ARTIFACT_EXT,
  listArtifactFiles,
  type ModelArtifact,
  readArtifact,
  readIntent,
  readModelLinks,
} from "../../registry/index.ts";
import { type Database, openDatabase } from "../../storage/index.ts";
import { createTrackingStore, type RunInfo, type TrackingStore } from "../../tracking/index.ts";
import { type CommonOptions, configFor, type Runtime } from "../runtime.ts";
import { formatSlope, formatTable } from "../table.ts";

export type Stage = "production" | "previous" | "candidate" | "none";
export type HashStatus = "ok" | "MISMATCH" | "NO CHECKSUM" | "UNREADABLE";

export interface ModelRow {
  readonly model_id: string;
  readonly stage: Stage;
  readonly feature_set: string | null;
  readonly learner: string | null;
  readonly calibrator: string | null;
  readonly created_at: string | null;
  readonly training: {
    readonly seasons: readonly number[];
    readonly games: number;
    readonly last_kickoff: string;
  } | null;
  readonly holdout: {
    readonly brier: number | null;
    readonly log_loss: number | null;
    readonly reliability_slope: number | null;
    /** Its standard error (artifacts trained before it was recorded have none). */
    readonly reliability_slope_se: number | null;
    readonly n: number | null;
  };
  readonly cv_brier: number | null;
  /** The latest walk-forward backtest of the same feature set and learner (retrained each block, not this artifact). */
  readonly backtest: {
    readonly run_id: string;
    readonly brier: number;
    readonly n: number;
    readonly seasons: string;
  } | null;
  readonly sha256: HashStatus;
  readonly file: string;
  readonly tracking_run_id: string | null;
  /** The MLflow run's stage tag and lifecycle, when the run is found. */
  readonly tracking: { readonly stage_tag: string | null; readonly lifecycle: string } | null;
}

/** The MLflow store named by MLFLOW_TRACKING_URI or the config, as train uses it. */
export function trackingFor(rt: Runtime, cfg: Config): TrackingStore {
  return createTrackingStore({
    trackingUri: rt.env.MLFLOW_TRACKING_URI ?? cfg.mlflow.tracking_uri,
    cwd: rt.cwd,
    now: rt.now,
  });
}

/** An artifact's fields even when its checksum fails (for listing only; never for predicting). */
export function peekArtifact(file: string): { artifact: Partial<ModelArtifact> | null; hash: HashStatus } {
  try {
    return { artifact: readArtifact(file).artifact, hash: "ok" };
  } catch (e) {
    let artifact: Partial<ModelArtifact> | null = null;
    try {
      artifact = JSON.parse(readFileSync(file, "utf8")) as Partial<ModelArtifact>;
    } catch {
      artifact = null;
    }
    const msg = isNflPredError(e) ? e.message : String(e);
    const hash: HashStatus = /no checksum file/.test(msg)
      ? "NO CHECKSUM"
      : /does not match its sha256/.test(msg)
        ? "MISMATCH"
        : "UNREADABLE";
    return { artifact, hash };
  }
}

async function findRun(store: TrackingStore, runId: string | null | undefined): Promise<RunInfo | null> {
  // Looking must not create an empty MLflow store as a side effect.
  if (!runId || !existsSync(store.root)) return null;
  try {
    return await store.getRun(runId);
  } catch {
    return null;
  }
}

async function latestBacktests(
  cfg: Config,
): Promise<{ rows: Map<string, NonNullable<ModelRow["backtest"]>>; note: string | null }> {
  const rows = new Map<string, NonNullable<ModelRow["backtest"]>>();
  if (!existsSync(cfg.paths.duckdb_path)) return { rows, note: null };
  let db: Database;
  try {
    db = await openDatabase(cfg.paths.duckdb_path, { readOnly: true, threads: cfg.storage.threads });
  } catch (e) {
    return { rows, note: `backtest metrics skipped: ${(e as Error).message}` };
  }
  try {
    if (!(await db.tableExists("backtest_predictions"))) return { rows, note: null };
    // Run ids are bt_<feature set>_<learner>_<retrain>_<UTC stamp>; the stamp orders them in time.
    const found = await db.all<{
      run_id: string;
      feature_set: string;
      n: number;
      brier: number;
      s0: number;
      s1: number;
    }>(
      `SELECT run_id, any_value(feature_set) AS feature_set, count(*) AS n,
              avg((p_home_win - label) * (p_home_win - label)) AS brier, min(season) AS s0, max(season) AS s1
       FROM backtest_predictions WHERE label IS NOT NULL GROUP BY run_id
       ORDER BY regexp_extract(run_id, '_(\\d{8}T\\d{6}Z)$', 1) DESC`,
    );
    for (const r of found) {
      const learner = r.run_id.slice(`bt_${r.feature_set}_`.length).split("_")[0] ?? "";
      const key = `${r.feature_set}|${learner}`;
      if (!rows.has(key)) {
        rows.set(key, {
          run_id: r.run_id,
          brier: r.brier,
          n: r.n,
          seasons: r.s0 === r.s1 ? `${r.s0}` : `${r.s0}-${r.s1}`,
        });
      }
    }
    return { rows, note: null };
  } finally {
    db.close();
  }
}

/** Every artifact in the models directory with its stage, metrics and checksum status. */
export async function loadModelRows(
  rt: Runtime,
  cfg: Config,
): Promise<{ rows: ModelRow[]; notes: string[] }> {
  const dir = cfg.paths.models_dir;
  const links = readModelLinks(dir);
  const store = trackingFor(rt, cfg);
  const backtests = await latestBacktests(cfg);
  const notes: string[] = backtests.note ? [backtests.note] : [];
  const rows: ModelRow[] = [];
  for (const file of listArtifactFiles(dir)) {
    const id = basename(file).slice(0, -ARTIFACT_EXT.length);
    const { artifact: a, hash } = peekArtifact(file);
    const run = await findRun(store, a?.trackingRunId);
    const tag = run?.tags.stage ?? null;
    const stage: Stage =
      links.current.modelId === id && !links.current.dangling
        ? "production"
        : links.previous.modelId === id && !links.previous.dangling
          ? "previous"
          : tag === "candidate" && run?.lifecycleStage === "active"
            ? "candidate"
            : "none";
    const m = a?.metrics ?? {};
    const num = (k: string) => (typeof m[k] === "number" ? m[k] : null);
    rows.push({
      model_id: id,
      stage,
      feature_set: a?.featureSet ?? null,
      learner: a?.model?.kind ?? null,
      calibrator: a?.calibrator?.kind ?? null,
      created_at: a?.createdAt ?? null,
      training: a?.trainingWindow
        ? {
            seasons: a.trainingWindow.seasons,
            games: a.trainingWindow.games,
            last_kickoff: a.trainingWindow.lastKickoff,
          }
        : null,
      holdout: {
        brier: num("holdout_brier"),
        log_loss: num("holdout_log_loss"),
        reliability_slope: num("holdout_reliability_slope"),
        reliability_slope_se: num("holdout_reliability_slope_se"),
        n: num("holdout_n"),
      },
      cv_brier: num("cv_brier"),
      backtest: backtests.rows.get(`${a?.featureSet}|${a?.model?.kind}`) ?? null,
      sha256: hash,
      file,
      tracking_run_id: a?.trackingRunId ?? null,
      tracking: run ? { stage_tag: tag, lifecycle: run.lifecycleStage } : null,
    });
  }
  for (const link of [links.current, links.previous]) {
    if (link.dangling) {
      notes.push(
        `data/models/${link.name} points to a missing artifact (${link.target ?? "?"})${link.name === "current" ? ": run `npx nfl-pred rollback`" : ""}`,
      );
    }
  }
  if (readIntent(dir)) {
    notes.push(
      "an interrupted promotion or rollback is pending: finish it with `npx nfl-pred promote --resume`",
    );
  }
  return { rows, notes };
}

function seasonsText(seasons: readonly number[]): string {
  if (seasons.length === 0) return "";
  const s = [...seasons].sort((a, b) => a - b);
  const contiguous = s.every((v, i) => i === 0 || v === s[i - 1]! + 1);
  return contiguous && s.length > 1 ? `${s[0]}-${s.at(-1)}` : s.join(",");
}

const r4 = (x: number | null | undefined) =>
  x === null || x === undefined ? null : Math.round(x * 1e4) / 1e4;

export function registerModels(program: Command, rt: Runtime): void {
  program
    .command("models")
    .description(
      "list model artifacts: stage, feature set, training window, holdout/backtest metrics, checksum",
    )
    .option("--json", "print JSON")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
Stage: production = data/models/current, previous = data/models/previous, candidate = MLflow tag
stage=candidate (set by \`nfl-pred promote --candidate\`), none otherwise.
backtest_brier is the latest walk-forward backtest of the same feature set and learner (a configuration's
track record, retrained every block), not of this artifact itself.`,
    )
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      const cfg = configFor(rt, opts);
      const { rows, notes } = await loadModelRows(rt, cfg);
      if (opts.json) {
        rt.out(JSON.stringify({ models: rows, notes }, null, 2));
        return;
      }
      if (rows.length === 0) {
        rt.out(`No model artifacts in ${cfg.paths.models_dir}; train one with \`npx nfl-pred train\`.`);
      } else {
        rt.out(
          formatTable(
            rows.map((r) => ({
              model_id: r.model_id,
              stage: r.stage,
              feature_set: r.feature_set,
              learner: r.learner,
              seasons: r.training ? seasonsText(r.training.seasons) : null,
              games: r.training?.games ?? null,
              holdout_brier: r4(r.holdout.brier),
              holdout_slope:
                r.holdout.reliability_slope === null
                  ? null
                  : formatSlope(r.holdout.reliability_slope, r.holdout.reliability_slope_se),
              cv_brier: r4(r.cv_brier),
              backtest_brier: r4(r.backtest?.brier),
              sha256: r.sha256,
            })),
          ),
        );
      }
      for (const n of notes) rt.out(`note: ${n}`);
    });
}
