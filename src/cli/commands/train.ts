import { join } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import type { Config } from "../../config/index.ts";
import { NflPredError, seasonArgs, seasonRanges } from "../../domain/index.ts";
import { designColumns, type FeatureDef } from "../../features/index.ts";
import {
  chooseL2,
  type GbmParams,
  LEARNER_KINDS,
  type LearnerKind,
  serializeModel,
  summarizeModel,
  type TrainSettings,
  trainCalibrated,
  type XgboostParams,
} from "../../model/index.ts";
import { type ModelArtifact, writeArtifact } from "../../registry/index.ts";
import {
  accuracy,
  brierScore,
  brierStandardError,
  expectedCalibrationError,
  logLoss,
  reliabilityBins,
  slopeWithError,
} from "../../report/index.ts";
import type { Database } from "../../storage/index.ts";
import { createTrackingStore } from "../../tracking/index.ts";
import { parseInteger, parseList, parseSeasons } from "../args.ts";
import { codeVersion, datasetVersions } from "../provenance.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import {
  builtEarlyWarning,
  loadGamePairs,
  noCompletedRowsError,
  resolveModelFeatures,
  toTrainData,
  usesL2,
} from "../training-data.ts";
import { resolveFeatureSet } from "./build-features.ts";
import { featureSpecOf } from "./feature-spec.ts";

interface TrainOptions extends CommonOptions {
  readonly featureSet?: string;
  readonly calibrationWeeks?: string;
  readonly holdoutWeeks?: string;
  readonly seasons?: string[];
  readonly model?: string;
}

export function trainSettings(
  cfg: Config,
  overrides: { calibrationWeeks?: number; holdoutWeeks?: number; learner?: LearnerKind } = {},
): TrainSettings {
  return {
    learner: overrides.learner ?? cfg.training.model,
    seed: cfg.training.seed,
    l2: cfg.training.l2,
    cvFolds: 5,
    calibrationWeeks: overrides.calibrationWeeks ?? cfg.training.calibration_weeks,
    holdoutWeeks: overrides.holdoutWeeks ?? cfg.training.holdout_weeks,
  };
}

/** The training window: explicit seasons, else the latest `seasons_back` seasons with completed games. */
async function trainingSeasons(
  db: Database,
  featureSet: string,
  cfg: Config,
  explicit?: number[],
): Promise<number[]> {
  if (explicit) return explicit;
  const row = await db.one<{ s: number | null }>(
    `SELECT max(f.season) AS s FROM features f JOIN schedules s USING (game_id)
     WHERE f.feature_set = ? AND f.stage = 'T-60m' AND s.home_score IS NOT NULL`,
    [featureSet],
  );
  if (row?.s === null || row?.s === undefined) {
    throw new NflPredError("NO_DATA", `no T-60m features of completed games for feature set ${featureSet}`, {
      hint: `run \`npx nfl-pred build-features --seasons <seasons> --feature-set ${featureSet}\` first`,
    });
  }
  const last = row.s;
  return Array.from(
    { length: cfg.training.seasons_back },
    (_, i) => last - cfg.training.seasons_back + 1 + i,
  );
}

function scoreMetrics(prefix: string, p: ArrayLike<number>, y: ArrayLike<number>): Record<string, number> {
  return {
    [`${prefix}_brier`]: brierScore(p, y),
    [`${prefix}_brier_se`]: brierStandardError(p, y),
    [`${prefix}_log_loss`]: logLoss(p, y),
    [`${prefix}_accuracy`]: accuracy(p, y),
    [`${prefix}_ece`]: expectedCalibrationError(p, y),
    [`${prefix}_n`]: p.length,
  };
}

export function registerTrain(program: Command, rt: Runtime): void {
  program
    .command("train")
    .description(
      "train a calibrated model on T-60m features; writes data/models/<model_id>.model.json and tracks the run",
    )
    .option("--feature-set <id>", "feature set (default from config: mvp_v1)")
    .option("--calibration-weeks <n>", "weeks held out to choose the calibrator (default from config)")
    .option(
      "--holdout-weeks <n>",
      "latest weeks kept out of fitting and calibration, scored at the end (default from config: 4)",
    )
    .option("--seasons <seasons...>", "training seasons (default: the latest training.seasons_back seasons)")
    .option("--model <kind>", `${LEARNER_KINDS.join(" | ")} (default from config)`)
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: TrainOptions) => {
      const cfg = configFor(rt, opts);
      const featureSet = opts.featureSet ?? cfg.features.feature_set;
      resolveFeatureSet(featureSet);
      const defs = resolveModelFeatures(featureSet, cfg.training.model_features);
      const explicit = opts.seasons ? parseSeasons(opts.seasons, rt.now()) : undefined;
      const calibrationWeeks =
        opts.calibrationWeeks === undefined
          ? undefined
          : parseInteger(opts.calibrationWeeks, "--calibration-weeks", 0, 10);
      const holdoutWeeks =
        opts.holdoutWeeks === undefined
          ? undefined
          : parseInteger(opts.holdoutWeeks, "--holdout-weeks", 0, 40);
      const learner = opts.model ? parseList(opts.model, LEARNER_KINDS, "--model")[0] : undefined;
      let settings = trainSettings(cfg, {
        ...(calibrationWeeks === undefined ? {} : { calibrationWeeks }),
        ...(holdoutWeeks === undefined ? {} : { holdoutWeeks }),
        ...(learner ? { learner } : {}),
      });
      const result = await withDatabase(cfg, async (db) => {
        const seasons = await trainingSeasons(db, featureSet, cfg, explicit);
        const pairs = (
          await loadGamePairs(
            db,
            featureSet,
            defs.map((d) => d.name),
            { seasons },
          )
        ).filter((p) => p.label !== null);
        if (pairs.length === 0) {
          throw await noCompletedRowsError(
            db,
            seasons,
            `no T-60m features of completed games in seasons ${seasonRanges(seasons)}`,
            `run \`npx nfl-pred build-features --seasons ${seasonArgs(seasons)} --feature-set ${featureSet}\` first`,
          );
        }
        return { seasons, pairs, versions: await datasetVersions(db) };
      });
      const { seasons, pairs, versions } = result;
      const early = builtEarlyWarning(pairs);
      if (early) rt.out(early);
      rt.log.info({ featureSet, seasons, games: pairs.length, learner: settings.learner }, "training");
      const data = toTrainData(pairs, defs, cfg.training.season_weights);
      if (usesL2(settings.learner) && cfg.training.l2_grid.length > 0) {
        const choice = chooseL2(data, settings, cfg.training.l2_grid);
        settings = { ...settings, l2: choice.l2 };
        rt.log.info({ l2: choice.l2, losses: choice.losses }, "ridge penalty chosen by forward-chaining CV");
      }
      const outcome = trainCalibrated(data, settings);
      const metrics: Record<string, number> = { train_games: pairs.length };
      outcome.cv.forEach((f, k) => {
        metrics[`cv_fold${k + 1}_brier`] = brierScore(f.p, f.y);
        metrics[`cv_fold${k + 1}_log_loss`] = logLoss(f.p, f.y);
      });
      const cvP = outcome.cv.flatMap((f) => [...f.p]);
      const cvY = outcome.cv.flatMap((f) => [...f.y]);
      Object.assign(metrics, scoreMetrics("cv", cvP, cvY));
      for (const [k, v] of Object.entries(outcome.calibrationLosses))
        metrics[`calibration_log_loss_${k}`] = v;
      if (outcome.holdout) {
        Object.assign(metrics, scoreMetrics("holdout", outcome.holdout.p, outcome.holdout.y));
        const { slope, se } = slopeWithError(outcome.holdout.p, outcome.holdout.y);
        metrics.holdout_reliability_slope = slope;
        metrics.holdout_reliability_slope_se = se;
      }
      const createdAt = rt.now();
      const stamp = new Date(createdAt)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      const modelId = `${featureSet}_${settings.learner}_${stamp}`;
      const modelsDir = cfg.paths.models_dir;
      const spec = featureSpecOf(featureSet);
      const version = codeVersion(rt.version);

      const store = createTrackingStore({
        trackingUri: rt.env.MLFLOW_TRACKING_URI ?? cfg.mlflow.tracking_uri,
        cwd: rt.cwd,
        now: rt.now,
        gitCommit: version,
      });
      const run = await store.startRun(await store.getOrCreateExperiment(cfg.mlflow.experiment), modelId, {
        feature_set: featureSet,
        model_id: modelId,
        code_version: version,
        learner: settings.learner,
        calibrator: outcome.calibrator.kind,
        stage: "none",
      });
      try {
        await run.logParams({
          feature_set: featureSet,
          learner: settings.learner,
          seed: String(settings.seed),
          l2: String(settings.l2),
          cv_folds: String(settings.cvFolds),
          calibration_weeks: String(settings.calibrationWeeks),
          holdout_weeks: String(settings.holdoutWeeks),
          seasons: seasons.join(","),
          season_weights: cfg.training.season_weights.join(",") || "none",
          feature_spec_checksum: spec.checksum,
          n_design_columns: String(data.X.cols),
        });
        const fitted = outcome.model;
        if (fitted.kind === "gbm" || fitted.kind === "xgboost") {
          // The boosting settings and, for XGBoost, the library version, so runs compare in `mlflow ui`.
          const p = fitted.params as GbmParams | XgboostParams;
          await run.logParams(
            Object.fromEntries(Object.entries(p.settings).map(([k, v]) => [`trees.${k}`, String(v)])),
          );
          if ("xgboost" in p) await run.setTag("xgboost_version", p.xgboost);
        }
        for (const [k, v] of Object.entries(metrics)) await run.logMetric(k, v);
        for (const [k, v] of Object.entries(versions)) await run.setTag(`data_version.${k}`, v);

        const artifact: ModelArtifact = {
          format: "nfl-pred-model/1",
          modelId,
          createdAt: new Date(createdAt).toISOString(),
          featureSet,
          featureSpecChecksum: spec.checksum,
          designColumns: designColumns(defs as readonly FeatureDef[]),
          model: serializeModel(outcome.model),
          calibrator: { kind: outcome.calibrator.kind, params: outcome.calibrator.params },
          trainingWindow: {
            seasons,
            firstGameId: pairs[0]!.gameId,
            lastGameId: pairs.at(-1)!.gameId,
            lastKickoff: new Date(pairs.at(-1)!.kickoff).toISOString(),
            games: pairs.length,
          },
          metrics,
          settings: { ...settings },
          codeVersion: version,
          dataVersions: versions,
          trackingRunId: run.runId,
        };
        const written = writeArtifact(modelsDir, artifact);
        const png = join(modelsDir, `reliability_${modelId}.png`);
        // The holdout is a few weeks (often just playoff games); the out-of-fold predictions of the
        // forward-chaining CV cover half the window, so both curves are drawn, each labelled.
        const curves = [
          { name: `CV out of fold, uncalibrated (n = ${cvP.length})`, p: cvP, y: cvY },
          ...(outcome.holdout
            ? [
                {
                  name: `holdout: last ${settings.holdoutWeeks} weeks, calibrator ${outcome.calibrator.kind} (n = ${outcome.holdout.p.length})`,
                  ...outcome.holdout,
                },
              ]
            : []),
        ];
        const { reliabilitySpec, renderPng, writePngAtomic } = await import("../../charts/index.ts");
        await writePngAtomic(
          png,
          await renderPng(
            reliabilitySpec({
              title: `Reliability — ${modelId}`,
              series: curves.map((c) => ({ name: c.name, bins: reliabilityBins(c.p, c.y, 10) })),
            }),
          ),
        );
        await run.logText(stringify(configSnapshot(cfg)), "config.yaml");
        await run.logText(spec.text, "feature_spec.md");
        await run.logArtifact(png);
        await run.logArtifact(written.path);
        await run.setTag("model_sha256", written.sha256);
        await run.end("FINISHED");
        rt.out(
          `Trained ${settings.learner} on ${pairs.length} games (seasons ${seasonRanges(seasons)}), calibrator ${outcome.calibrator.kind}`,
        );
        if (outcome.holdout) {
          rt.out(
            `Holdout (last ${settings.holdoutWeeks} weeks, n=${outcome.holdout.p.length}): Brier ${metrics.holdout_brier?.toFixed(4)} (s.e. ${metrics.holdout_brier_se?.toFixed(4)}), log loss ${metrics.holdout_log_loss?.toFixed(4)}, accuracy ${metrics.holdout_accuracy?.toFixed(3)}, calibration slope ${metrics.holdout_reliability_slope?.toFixed(2)} (s.e. ${metrics.holdout_reliability_slope_se?.toFixed(2)})`,
          );
        }
        for (const line of summarizeModel(outcome.model)) rt.out(line);
        rt.out(
          `CV (${outcome.cv.length} forward-chaining folds, n=${cvP.length}): Brier ${metrics.cv_brier?.toFixed(4)} (s.e. ${metrics.cv_brier_se?.toFixed(4)}), log loss ${metrics.cv_log_loss?.toFixed(4)}`,
        );
        rt.out(`Model artifact: ${written.path} (sha256 ${written.sha256})`);
        rt.out(`Reliability diagram: ${png}`);
        rt.out(`MLflow run ID: ${run.runId}`);
      } catch (e) {
        await run.end("FAILED");
        throw e;
      }
    });
}

function configSnapshot(cfg: Config): Record<string, unknown> {
  const { source: _source, cwd: _cwd, ...rest } = cfg;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}
