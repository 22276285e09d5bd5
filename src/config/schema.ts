import { z } from "zod";

const positiveInt = z.number().int().positive();

const paths = z
  .strictObject({
    data_dir: z.string().min(1).default("data"),
    duckdb_path: z.string().min(1).default("data/nfl.duckdb"),
    raw_dir: z.string().min(1).default("data/raw"),
    models_dir: z.string().min(1).default("data/models"),
    reports_dir: z.string().min(1).default("data/reports"),
    backups_dir: z.string().min(1).default("backups"),
    exports_dir: z.string().min(1).default("exports"),
  })
  .prefault({});

const storage = z
  .strictObject({
    // DuckDB worker threads per command; null leaves DuckDB's default (one per core).
    threads: positiveInt.nullable().default(null),
  })
  .prefault({});

const ingest = z
  .strictObject({
    timeout_ms: positiveInt.default(30_000),
    retries: z.number().int().min(0).max(10).default(3),
    backoff_ms: z.number().int().min(0).default(500),
  })
  .prefault({});

const retention = z
  .strictObject({
    max_age_days: positiveInt.default(90),
    keep_last_runs: z.number().int().min(0).default(20),
    keep_top_runs: z.number().int().min(0).default(5),
    metric: z.string().min(1).default("holdout_brier"),
    goal: z.enum(["minimize", "maximize"]).default("minimize"),
    protect_promoted: z.boolean().default(true),
  })
  .prefault({});

const mlflow = z
  .strictObject({
    tracking_uri: z.string().min(1).default("file:./mlruns"),
    experiment: z.string().min(1).default("nfl-pred"),
    hygiene: z.strictObject({ retention }).prefault({}),
  })
  .prefault({});

const features = z
  .strictObject({
    feature_set: z.string().min(1).default("mvp_v1"),
    windows: z.array(positiveInt).min(1).default([4, 8]),
    visibility: z
      .strictObject({
        post_game_delay_minutes: z.number().min(0).default(240),
        pre_game_lead_minutes: z.number().min(0).default(60),
        weekly_report_lead_hours: z.number().min(0).default(24),
      })
      .prefault({}),
    elo: z
      .strictObject({
        k: z.number().positive().default(20),
        home_advantage: z.number().min(0).default(48),
        margin_multiplier: z.boolean().default(true),
        season_reversion: z.number().min(0).max(1).default(0.33),
        initial: z.number().positive().default(1505),
      })
      .prefault({}),
  })
  .prefault({});

const training = z
  .strictObject({
    seasons_back: positiveInt.max(30).default(10),
    season_weights: z.array(z.number().min(0)).default([]),
    calibration_weeks: z.number().int().min(0).max(10).default(0),
    holdout_weeks: z.number().int().min(0).max(40).default(4),
    model: z.enum(["margin", "logistic", "gbm", "xgboost", "stack"]).default("margin"),
    model_features: z.array(z.string().min(1)).default([]),
    seed: z.number().int().default(42),
    l2: z.number().min(0).default(10),
    l2_grid: z.array(z.number().positive()).default([1, 10, 100, 1000]),
  })
  .prefault({});

const monitoring = z
  .strictObject({
    psi_threshold: z.number().positive().default(0.2),
    reference: z
      .enum(["previous_season_plus_earlier_weeks", "previous_season"])
      .default("previous_season_plus_earlier_weeks"),
    retrain_triggers: z
      .strictObject({
        brier_deterioration_pct: z.number().positive().default(10),
        psi_feature_count: positiveInt.default(5),
        psi_threshold: z.number().positive().default(0.2),
        rolling_weeks: positiveInt.default(4),
      })
      .prefault({}),
  })
  .prefault({});

export const configSchema = z.strictObject({
  paths,
  storage,
  ingest,
  mlflow,
  features,
  training,
  monitoring,
});

export type RawConfig = z.infer<typeof configSchema>;
