import { existsSync, readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { ARTIFACT_EXT, listArtifactFiles, readLink } from "../../registry/index.ts";
import type { ArtifactCache } from "../artifacts.ts";
import type { Setup } from "../common.ts";

export type Role = "current" | "previous" | "candidate";

export interface LinkView {
  readonly name: "current" | "previous";
  /** Where the link points, as written. */
  readonly target: string;
  readonly model_id: string | null;
  readonly broken: boolean;
}

export interface ModelView {
  readonly model_id: string;
  readonly role: Role;
  readonly file: string;
  readonly created_at: string | null;
  readonly feature_set: string | null;
  readonly learner: string | null;
  readonly calibrator: string | null;
  readonly training: {
    readonly seasons: readonly number[];
    readonly games: number;
    readonly last_kickoff: string;
  } | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly tracking: { readonly run_id: string; readonly path: string | null } | null;
  readonly error: string | null;
}

export interface RegistryPage {
  readonly models_dir: string;
  readonly tracking_root: string;
  readonly current: LinkView | null;
  readonly previous: LinkView | null;
  readonly models: readonly ModelView[];
  readonly setup: Setup | null;
}

function linkView(modelsDir: string, name: "current" | "previous"): LinkView | null {
  const l = readLink(modelsDir, name);
  if (!l.present) return null;
  return { name, target: l.target ?? `${name} (a copy)`, model_id: l.modelId, broken: l.dangling };
}

/** MLflow run folders by run id: `<root>/<experiment id>/<run id>`. */
function trackingRuns(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  for (const exp of readdirSync(root, { withFileTypes: true })) {
    if (!exp.isDirectory() || exp.name.startsWith(".")) continue;
    for (const run of readdirSync(join(root, exp.name), { withFileTypes: true })) {
      if (run.isDirectory()) out.set(run.name, join(root, exp.name, run.name));
    }
  }
  return out;
}

const METRIC_ORDER = [
  "holdout_brier",
  "holdout_log_loss",
  "holdout_accuracy",
  "holdout_ece",
  "holdout_n",
  "cv_brier",
  "cv_log_loss",
  "cv_accuracy",
  "cv_ece",
  "cv_n",
  "train_games",
];

/** GET /api/registry: current, previous and candidate models with their metrics and tracking runs. */
export function loadRegistryPage(ctx: {
  modelsDir: string;
  trackingRoot: string;
  cwd: string;
  artifacts: ArtifactCache;
}): RegistryPage {
  const shown = (p: string) => relative(ctx.cwd, p) || p;
  const current = linkView(ctx.modelsDir, "current");
  const previous = linkView(ctx.modelsDir, "previous");
  const runs = trackingRuns(ctx.trackingRoot);
  const models: ModelView[] = listArtifactFiles(ctx.modelsDir).map((file) => {
    const id = basename(file).slice(0, -ARTIFACT_EXT.length);
    const role: Role =
      current?.model_id === id ? "current" : previous?.model_id === id ? "previous" : "candidate";
    const read = ctx.artifacts.read(file);
    if (read instanceof Error) {
      return {
        model_id: id,
        role,
        file: shown(file),
        created_at: null,
        feature_set: null,
        learner: null,
        calibrator: null,
        training: null,
        metrics: {},
        tracking: null,
        error: read.message,
      };
    }
    const a = read.artifact;
    const metrics: Record<string, number> = {};
    for (const k of METRIC_ORDER) if (typeof a.metrics[k] === "number") metrics[k] = a.metrics[k];
    const runPath = a.trackingRunId ? runs.get(a.trackingRunId) : undefined;
    return {
      model_id: a.modelId,
      role,
      file: shown(file),
      created_at: a.createdAt,
      feature_set: a.featureSet,
      learner: a.model.kind,
      calibrator: a.calibrator.kind,
      training: {
        seasons: a.trainingWindow.seasons,
        games: a.trainingWindow.games,
        last_kickoff: a.trainingWindow.lastKickoff,
      },
      metrics,
      tracking: a.trackingRunId
        ? { run_id: a.trackingRunId, path: runPath === undefined ? null : shown(runPath) }
        : null,
      error: null,
    };
  });
  const rank: Record<Role, number> = { current: 0, previous: 1, candidate: 2 };
  models.sort((a, b) => rank[a.role] - rank[b.role]);
  return {
    models_dir: shown(ctx.modelsDir),
    tracking_root: shown(ctx.trackingRoot),
    current,
    previous,
    models,
    setup:
      models.length > 0
        ? null
        : {
            message: `No model artifacts in ${shown(ctx.modelsDir)} yet.`,
            commands: ["npx nfl-pred train"],
          },
  };
}
