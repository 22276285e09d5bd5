import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { NflPredError } from "../domain/index.ts";

/** Version tag of the artifact layout; bump when a field changes meaning. */
export const ARTIFACT_FORMAT = "nfl-pred-model/1";
export const ARTIFACT_EXT = ".model.json";

/**
 * A trained model as stored in `data/models/<model_id>.model.json`, with `<file>.sha256` beside it.
 * Everything needed to predict and to audit: design columns, the serialised model and calibrator, the
 * training window, metrics, settings and the feature-spec checksum.
 */
export interface ModelArtifact {
  readonly format: string;
  readonly modelId: string;
  readonly createdAt: string;
  readonly featureSet: string;
  readonly featureSpecChecksum: string;
  readonly designColumns: readonly string[];
  readonly model: { readonly kind: string; readonly features: readonly string[]; readonly params: unknown };
  readonly calibrator: { readonly kind: string; readonly params: unknown };
  readonly trainingWindow: {
    readonly seasons: readonly number[];
    readonly firstGameId: string;
    readonly lastGameId: string;
    readonly lastKickoff: string;
    readonly games: number;
  };
  readonly metrics: Readonly<Record<string, number>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly codeVersion: string;
  readonly dataVersions: Readonly<Record<string, string>>;
  readonly trackingRunId: string | null;
}

export interface StoredArtifact {
  readonly path: string;
  readonly sha256: string;
  readonly artifact: ModelArtifact;
}

export function artifactPath(modelsDir: string, modelId: string): string {
  return join(modelsDir, `${modelId}${ARTIFACT_EXT}`);
}

/**
 * Writes the artifact and its checksum, each atomically (temp file + rename). The checksum lands first:
 * an artifact file, once visible under its final name, always has its checksum beside it, so a crash
 * leaves at worst an orphan `.sha256` that nothing lists.
 */
export function writeArtifact(modelsDir: string, artifact: ModelArtifact): { path: string; sha256: string } {
  mkdirSync(modelsDir, { recursive: true });
  const path = artifactPath(modelsDir, artifact.modelId);
  const text = `${JSON.stringify(artifact, null, 1)}\n`;
  const sha256 = createHash("sha256").update(text).digest("hex");
  writeAtomic(`${path}.sha256`, `${sha256}  ${basename(path)}\n`);
  writeAtomic(path, text);
  return { path, sha256 };
}

/** Reads an artifact, refusing one whose bytes do not match its recorded sha256. */
export function readArtifact(path: string): StoredArtifact {
  if (!existsSync(path)) {
    throw new NflPredError("NOT_FOUND", `model artifact ${path} does not exist`, {
      file: path,
      hint: "list models with `npx nfl-pred models`, or train one with `npx nfl-pred train`",
    });
  }
  const real = realpathSync(path);
  const bytes = readFileSync(real);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const sidecar = `${real}.sha256`;
  if (!existsSync(sidecar)) {
    throw new NflPredError("INTEGRITY", `model artifact ${real} has no checksum file ${basename(sidecar)}`, {
      file: real,
      hint: "an artifact without its checksum cannot be trusted: restore both files, or train again",
    });
  }
  const recorded = readFileSync(sidecar, "utf8").trim().split(/\s+/)[0];
  if (recorded !== sha256) {
    throw new NflPredError(
      "INTEGRITY",
      `model artifact ${real} does not match its sha256 (${recorded} recorded, ${sha256} found)`,
      {
        file: real,
        hint: "the file is corrupt or was edited: if it is the current model run `npx nfl-pred rollback`; otherwise restore it from a copy or train again",
      },
    );
  }
  let artifact: ModelArtifact;
  try {
    artifact = JSON.parse(bytes.toString("utf8")) as ModelArtifact;
  } catch (cause) {
    throw new NflPredError("INTEGRITY", `model artifact ${real} is not valid JSON`, {
      file: real,
      cause,
      hint: "the file is truncated or was edited: restore it from a copy, roll back (`npx nfl-pred rollback`) if it is the current model, or train again",
    });
  }
  if (artifact.format !== ARTIFACT_FORMAT) {
    throw new NflPredError(
      "MODEL",
      `model artifact ${real} has format ${String(artifact.format)}, expected ${ARTIFACT_FORMAT}`,
      {
        file: real,
      },
    );
  }
  return { path: real, sha256, artifact };
}

/** Artifact files in the models directory, newest first (by modification time). */
export function listArtifactFiles(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((f) => f.endsWith(ARTIFACT_EXT))
    .map((f) => join(modelsDir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs || b.localeCompare(a));
}

/**
 * Writes `path` via `<path>.tmp-<pid>` and a rename, so readers see the old file or the new one, never a
 * part. Temp files of the same path left by killed processes are removed first.
 */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  removeStaleTemps(dirname(path), basename(path));
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const TEMP_RE = /^(.+)\.tmp-(\d+)(?:\.wal)?$/;

/**
 * Removes `<name>.tmp-<pid>` files (and DuckDB's `.wal` beside them) in `dir` whose process is gone;
 * with `name`, only the temp files of that one file. Returns the removed paths.
 */
export function removeStaleTemps(dir: string, name?: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const m = TEMP_RE.exec(entry);
    if (!m || (name !== undefined && m[1] !== name)) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(dir, entry), { force: true });
      removed.push(join(dir, entry));
    } catch {
      // Another process may have removed it first; either way it is gone.
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export type ModelSource = "--model-path" | "--model-id" | "current" | "newest";

/**
 * Which model to use: `--model-path`, else `--model-id`, else `data/models/current` (the promoted
 * model), else the newest artifact. Says which rule picked it.
 */
export function resolveModel(
  modelsDir: string,
  opts: { modelPath?: string | undefined; modelId?: string | undefined },
): StoredArtifact & { source: ModelSource } {
  if (opts.modelPath) return { ...readArtifact(opts.modelPath), source: "--model-path" };
  if (opts.modelId) return { ...readArtifact(artifactPath(modelsDir, opts.modelId)), source: "--model-id" };
  const current = join(modelsDir, "current");
  let linked = false;
  try {
    linked = lstatSync(current).isSymbolicLink() || existsSync(current);
  } catch {
    linked = false;
  }
  if (linked) {
    if (!existsSync(current)) {
      throw new NflPredError(
        "NOT_FOUND",
        `data/models/current points to a missing artifact (${readlinkSafe(current)})`,
        {
          file: current,
          hint: "roll back with `npx nfl-pred rollback`, or pass --model-path to an existing artifact",
        },
      );
    }
    return { ...readArtifact(current), source: "current" };
  }
  const newest = listArtifactFiles(modelsDir)[0];
  if (!newest) {
    throw new NflPredError("NOT_FOUND", `no model artifact in ${modelsDir}`, {
      file: modelsDir,
      hint: "train one with `npx nfl-pred train`, or pass --model-path",
    });
  }
  return { ...readArtifact(newest), source: "newest" };
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "?";
  }
}
