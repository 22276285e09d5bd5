import { join } from "node:path";
import type { Config } from "../config/index.ts";
import { type Game, NflPredError } from "../domain/index.ts";
import { createFeatureBuilder } from "../features/index.ts";
import {
  countInSample,
  describeTrainingWindow,
  type EvalGame,
  resolveModel,
  type StoredArtifact,
} from "../registry/index.ts";
import type { StageEnv } from "../snapshot/index.ts";
import type { Database } from "../storage/index.ts";
import { resolveFeatureSet } from "./commands/build-features.ts";
import { featureSpecOf } from "./commands/feature-spec.ts";
import { buildOptions, loadFeatureSources, missingResultsWarning } from "./feature-sources.ts";
import { codeVersion, datasetVersions } from "./provenance.ts";
import type { Runtime } from "./runtime.ts";

export interface ModelFlags {
  readonly modelPath?: string | undefined;
  readonly modelId?: string | undefined;
  readonly featureSet?: string | undefined;
}

/** Everything a stage run needs, resolved once per command: sources, model, feature set, provenance. */
export async function createStageEnv(
  rt: Runtime,
  cfg: Config,
  db: Database,
  flags: ModelFlags,
  command: "snapshot" | "predict",
  opts: { requireModel: boolean; season: number },
): Promise<StageEnv & { games: readonly Game[] }> {
  let model: StageEnv["model"] = null;
  try {
    const resolved = resolveModel(cfg.paths.models_dir, {
      modelPath: flags.modelPath,
      modelId: flags.modelId,
    });
    rt.out(`Using model ${resolved.artifact.modelId} (${resolved.source}: ${resolved.path})`);
    model = resolved;
  } catch (e) {
    // Only "no model at all" may fall back to feature-only stages; a broken current link or a corrupt
    // artifact must stop the run, or T-60m would silently produce no picks.
    const noModel =
      e instanceof NflPredError && e.code === "NOT_FOUND" && e.message.startsWith("no model artifact");
    if (opts.requireModel || flags.modelPath || flags.modelId || !noModel) throw e;
    rt.log.warn({ error: (e as Error).message }, "no model: feature stages only");
  }
  const featureSet = flags.featureSet ?? model?.artifact.featureSet ?? cfg.features.feature_set;
  if (model && model.artifact.featureSet !== featureSet) {
    throw new NflPredError(
      "USAGE",
      `--feature-set ${featureSet} does not match model ${model.artifact.modelId} (trained on ${model.artifact.featureSet})`,
      { flag: "--feature-set", value: featureSet },
    );
  }
  const defs = resolveFeatureSet(featureSet);
  const sources = await loadFeatureSources(db, [opts.season]);
  return {
    db,
    games: sources.games,
    buildRows: createFeatureBuilder(
      sources,
      buildOptions(
        cfg,
        defs.map((d) => d.name),
      ),
    ),
    featureSet,
    defs,
    model,
    codeVersion: codeVersion(rt.version),
    featureSpecChecksum: featureSpecOf(featureSet).checksum,
    datasetVersions: await datasetVersions(db),
    shapDir: join(cfg.paths.models_dir, "shap"),
    now: rt.now(),
    wallClock: rt.now(),
    command,
  };
}

/**
 * The week's games, after saying so when results due before its first kickoff (or before `now`, if
 * earlier) are missing: its features would silently count those games as not played.
 */
export function weekGames(
  rt: Runtime,
  cfg: Config,
  games: readonly Game[],
  at: { readonly season: number; readonly week: number; readonly now: number },
): Game[] {
  const out = games.filter((g) => g.season === at.season && g.week === at.week);
  if (out.length === 0) {
    throw new NflPredError("NO_DATA", `no games for season ${at.season} week ${at.week}`, {
      hint: `run \`npx nfl-pred ingest --seasons ${at.season} --datasets schedules\` first`,
    });
  }
  const stale = missingResultsWarning(games, Math.min(at.now, ...out.map((g) => g.kickoff)), cfg);
  if (stale) rt.out(stale);
  return out;
}

/**
 * A note when scored games are inside the model's training window, as when the runbook reproduces a past
 * week with a later model: it has learned from those results, so its probabilities are not what it would
 * have said before kickoff. Undefined when every game is out of sample.
 */
export function inSampleNote(model: StoredArtifact | null, games: readonly EvalGame[]): string | undefined {
  if (!model) return undefined;
  const window = model.artifact.trainingWindow;
  const n = countInSample(games, window);
  if (n === 0) return undefined;
  return (
    `note: ${n} of these ${games.length} games are in the training window of ${model.artifact.modelId} ` +
    `(${describeTrainingWindow(window)}): it has learned their results, so its probabilities for them are ` +
    "in-sample; `backtest --seasons <season>` gives what a model trained before each week said."
  );
}
