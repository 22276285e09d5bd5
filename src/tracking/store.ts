import { randomUUID } from "node:crypto";
import { appendFile, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse, stringify } from "yaml";
import { NflPredError } from "../domain/index.ts";
import { resolveTrackingRoot } from "./uri.ts";
import { validateExperimentId, validateKey, validateRunId, validateValue } from "./validate.ts";

export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export type LifecycleStage = "active" | "deleted";
/** Which runs `listRuns` returns, by lifecycle stage (MLflow's ViewType). */
export type RunView = "active" | "deleted" | "all";
export type ParamValue = string | number | boolean;

export interface TrackingStoreOptions {
  /** `file:./mlruns`, `file:///abs/mlruns` or a path; default `./mlruns` under `cwd`. */
  readonly trackingUri?: string;
  readonly cwd: string;
  /** Milliseconds since the epoch; every timestamp written comes from here. */
  readonly now: () => number;
  /** `user_id` and the `mlflow.user` tag; default: the OS user name. */
  readonly user?: string;
  /** `mlflow.source.name` tag; default `nfl-pred`. */
  readonly sourceName?: string;
  /** Written as the `mlflow.source.git.commit` tag when given. */
  readonly gitCommit?: string;
}

export interface RunInfo {
  readonly runId: string;
  readonly experimentId: string;
  readonly runName: string;
  readonly status: RunStatus;
  readonly lifecycleStage: LifecycleStage;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly deletedTime: number | null;
  readonly userId: string;
  readonly artifactUri: string;
  readonly artifactDir: string;
  readonly params: Readonly<Record<string, string>>;
  /** Latest value per key: highest step, then latest timestamp (MLflow's rule). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RunHandle {
  readonly runId: string;
  readonly experimentId: string;
  /** Absolute path of the run's `artifacts/` directory. */
  readonly artifactDir: string;
  /** Params are immutable: the same value again is accepted, a different one throws. */
  logParam(key: string, value: ParamValue): Promise<void>;
  logParams(params: Readonly<Record<string, ParamValue>>): Promise<void>;
  logMetric(key: string, value: number, step?: number): Promise<void>;
  logMetrics(metrics: Readonly<Record<string, number>>, step?: number): Promise<void>;
  setTag(key: string, value: string): Promise<void>;
  /** Copies a file or directory into `artifacts/[artifactSubdir/]`; returns the destination path. */
  logArtifact(srcPath: string, artifactSubdir?: string): Promise<string>;
  /** Writes `text` as `artifacts/<artifactName>`; returns its path. */
  logText(text: string, artifactName: string): Promise<string>;
  end(status: "FINISHED" | "FAILED" | "KILLED"): Promise<void>;
}

export interface TrackingStore {
  /** Absolute path of the `mlruns` directory. */
  readonly root: string;
  getOrCreateExperiment(name: string): Promise<string>;
  startRun(
    experimentId: string,
    runName: string,
    tags?: Readonly<Record<string, string>>,
  ): Promise<RunHandle>;
  getRun(runId: string): Promise<RunInfo>;
  /** Runs of one experiment, or of every active experiment; newest first. Default view: active. */
  listRuns(experimentId?: string, opts?: { readonly view?: RunView }): Promise<RunInfo[]>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  /**
   * MLflow's soft delete: `lifecycle_stage: deleted` and `deleted_time` in meta.yaml (`mlflow gc`
   * removes such runs for good). `deleteArtifacts` also removes the run's artifacts directory now.
   */
  deleteRun(runId: string, opts: { readonly deleteArtifacts: boolean }): Promise<void>;
}

interface ExperimentMeta {
  artifact_location: string;
  creation_time: number;
  experiment_id: string;
  last_update_time: number;
  lifecycle_stage: LifecycleStage;
  name: string;
}

/** The run meta.yaml exactly as MLflow's FileStore persists RunInfo (tags stay [] for old readers). */
interface RunMeta {
  artifact_uri: string;
  deleted_time: number | null;
  end_time: number | null;
  entry_point_name: string;
  experiment_id: string;
  lifecycle_stage: LifecycleStage;
  run_id: string;
  run_name: string;
  run_uuid: string;
  source_name: string;
  source_type: number;
  source_version: string;
  start_time: number;
  status: number;
  tags: never[];
  user_id: string;
}

const STATUS_CODES: Record<RunStatus, number> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
};
const ENDED: readonly RunStatus[] = ["FINISHED", "FAILED", "KILLED"];
const SOURCE_TYPE_LOCAL = 4;
const DEFAULT_EXPERIMENT = { id: "0", name: "Default" } as const;
const TRASH = ".trash";
const META = "meta.yaml";
const RESERVED_EXPERIMENT_FOLDERS = new Set(["tags", "datasets", "traces"]);
const RUN_NAME_TAG = "mlflow.runName";

/**
 * Opens (lazily creating) an MLflow file store: `mlruns/.trash/`, the Default experiment `0`, then
 * experiments and runs that `mlflow ui --backend-store-uri ./mlruns` can show.
 * @example
 * const store = createTrackingStore({ cwd: process.cwd(), now: Date.now });
 * const run = await store.startRun(await store.getOrCreateExperiment("backtest"), "logistic-2024");
 * await run.logParams({ model: "logistic", l2: 1 }); await run.logMetric("brier", 0.213); await run.end("FINISHED");
 */
export function createTrackingStore(opts: TrackingStoreOptions): TrackingStore {
  return new FileTrackingStore(opts);
}

class FileTrackingStore implements TrackingStore {
  readonly root: string;
  private readonly trash: string;
  private readonly user: string;
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: TrackingStoreOptions) {
    this.root = resolveTrackingRoot(opts.trackingUri, opts.cwd);
    this.trash = join(this.root, TRASH);
    this.user = opts.user ?? osUserName();
  }

  now(): number {
    return Math.trunc(this.opts.now());
  }

  async getOrCreateExperiment(name: string): Promise<string> {
    if (name.trim() === "") throw new NflPredError("USAGE", "experiment name must not be empty");
    await this.init();
    for (const id of await this.experimentIds(this.root)) {
      const meta = await readYaml<ExperimentMeta>(join(this.root, id, META));
      if (meta?.name === name) return String(meta.experiment_id);
    }
    for (const id of await this.experimentIds(this.trash)) {
      const meta = await readYaml<ExperimentMeta>(join(this.trash, id, META));
      if (meta?.name === name) {
        throw new NflPredError("CONFIG", `experiment '${name}' exists but is deleted (id ${id})`, {
          file: join(this.trash, id),
          hint: `restore it with \`mlflow experiments restore --experiment-id ${id}\` or remove that folder`,
        });
      }
    }
    return this.createExperiment(name);
  }

  async startRun(
    experimentId: string,
    runName: string,
    tags: Readonly<Record<string, string>> = {},
  ): Promise<RunHandle> {
    validateExperimentId(experimentId);
    if (runName.trim() === "") throw new NflPredError("USAGE", "run name must not be empty");
    const nameTag = tags[RUN_NAME_TAG];
    if (nameTag !== undefined && nameTag !== runName) {
      throw new NflPredError("USAGE", `run name '${runName}' and tag ${RUN_NAME_TAG}='${nameTag}' differ`);
    }
    for (const [k, v] of Object.entries(tags)) {
      validateKey("tag", k);
      validateValue("tag", k, v);
    }
    await this.init();
    const expDir = join(this.root, experimentId);
    const experiment = await readYaml<ExperimentMeta>(join(expDir, META));
    if (experiment === undefined || experiment.lifecycle_stage !== "active") {
      throw new NflPredError("NOT_FOUND", `no active experiment with id ${experimentId}`, {
        file: this.root,
        value: experimentId,
      });
    }
    const runId = randomUUID().replaceAll("-", "");
    const runDir = join(expDir, runId);
    const artifactDir = join(runDir, "artifacts");
    const artifactUri = `${experiment.artifact_location.replace(/\/+$/, "")}/${runId}/artifacts`;
    await mkdir(runDir);
    await Promise.all(["metrics", "params", "artifacts", "tags"].map((d) => mkdir(join(runDir, d))));
    const meta: RunMeta = {
      artifact_uri: artifactUri,
      deleted_time: null,
      end_time: null,
      entry_point_name: "",
      experiment_id: experimentId,
      lifecycle_stage: "active",
      run_id: runId,
      run_name: runName,
      run_uuid: runId,
      source_name: "",
      source_type: SOURCE_TYPE_LOCAL,
      source_version: "",
      start_time: this.now(),
      status: STATUS_CODES.RUNNING,
      tags: [],
      user_id: this.user,
    };
    await writeYaml(join(runDir, META), meta);
    const allTags: Record<string, string> = {
      [RUN_NAME_TAG]: runName,
      "mlflow.user": this.user,
      "mlflow.source.type": "LOCAL",
      "mlflow.source.name": this.opts.sourceName ?? "nfl-pred",
      ...(this.opts.gitCommit === undefined ? {} : { "mlflow.source.git.commit": this.opts.gitCommit }),
      ...tags,
    };
    for (const [k, v] of Object.entries(allTags)) await writeRunFile(runDir, "tags", k, v);
    const artifactsPath = fileUriToPath(artifactUri) ?? artifactDir;
    return new FileRunHandle(this, runDir, runId, experimentId, artifactsPath);
  }

  async getRun(runId: string): Promise<RunInfo> {
    return readRunInfo(await this.findRunDir(runId));
  }

  async listRuns(experimentId?: string, opts: { readonly view?: RunView } = {}): Promise<RunInfo[]> {
    const view = opts.view ?? "active";
    await this.init();
    let expDirs: string[];
    if (experimentId === undefined) {
      expDirs = (await this.experimentIds(this.root)).map((id) => join(this.root, id));
    } else {
      validateExperimentId(experimentId);
      expDirs = [await this.findExperimentDir(experimentId)];
    }
    const runs: RunInfo[] = [];
    for (const expDir of expDirs) {
      for (const entry of await readdir(expDir, { withFileTypes: true })) {
        if (!entry.isDirectory() || RESERVED_EXPERIMENT_FOLDERS.has(entry.name)) continue;
        const runDir = join(expDir, entry.name);
        const meta = await readYaml<RunMeta>(join(runDir, META));
        if (meta === undefined) continue;
        if (view !== "all" && (meta.lifecycle_stage ?? "active") !== view) continue;
        runs.push(await readRunInfo(runDir, meta));
      }
    }
    return runs.sort((a, b) => b.startTime - a.startTime || a.runId.localeCompare(b.runId));
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    const runDir = await this.findRunDir(runId);
    await this.setRunTag(runDir, key, value);
  }

  async setRunTag(runDir: string, key: string, value: string): Promise<void> {
    const meta = await requireRunMeta(runDir);
    if (meta.lifecycle_stage === "deleted") {
      throw new NflPredError("USAGE", `run ${meta.run_id} is deleted; its tags cannot change`, {
        file: runDir,
      });
    }
    await writeRunFile(runDir, "tags", key, value);
    if (key === RUN_NAME_TAG) await writeYaml(join(runDir, META), { ...meta, run_name: value });
  }

  async deleteRun(runId: string, opts: { readonly deleteArtifacts: boolean }): Promise<void> {
    const runDir = await this.findRunDir(runId);
    const meta = await requireRunMeta(runDir);
    await writeYaml(join(runDir, META), { ...meta, lifecycle_stage: "deleted", deleted_time: this.now() });
    if (!opts.deleteArtifacts) return;
    const artifacts = fileUriToPath(meta.artifact_uri) ?? join(runDir, "artifacts");
    // A hand-edited artifact_uri must never make us remove something outside this store.
    if (!isInside(this.root, artifacts)) {
      throw new NflPredError("INTEGRITY", `artifact location of run ${runId} is outside ${this.root}`, {
        file: join(runDir, META),
        value: meta.artifact_uri,
      });
    }
    await rm(artifacts, { recursive: true, force: true });
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.trash, { recursive: true });
      const { id, name } = DEFAULT_EXPERIMENT;
      const exists = (await this.experimentIds(this.root)).includes(id);
      if (!exists && !(await this.experimentIds(this.trash)).includes(id)) {
        await this.writeExperiment(id, name).catch(ignoreExists);
      }
    })();
    return this.ready;
  }

  private async createExperiment(name: string): Promise<string> {
    const taken = [...(await this.experimentIds(this.root)), ...(await this.experimentIds(this.trash))];
    // MLflow's own ids can exceed 2^53, so count in bigint.
    let next = taken.reduce((max, id) => (BigInt(id) > max ? BigInt(id) : max), 0n) + 1n;
    for (;;) {
      try {
        return await this.writeExperiment(String(next), name);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        next += 1n;
      }
    }
  }

  /** mkdir without `recursive` is the lock: a concurrent creator of the same id gets EEXIST. */
  private async writeExperiment(id: string, name: string): Promise<string> {
    const dir = join(this.root, id);
    await mkdir(dir);
    const t = this.now();
    const meta: ExperimentMeta = {
      artifact_location: pathToFileURL(dir).href,
      creation_time: t,
      experiment_id: id,
      last_update_time: t,
      lifecycle_stage: "active",
      name,
    };
    await writeYaml(join(dir, META), meta);
    return id;
  }

  private async experimentIds(parent: string): Promise<string[]> {
    const entries = await readdir(parent, { withFileTypes: true }).catch(emptyIfMissing);
    return entries.filter((e) => e.isDirectory() && /^[0-9]+$/.test(e.name)).map((e) => e.name);
  }

  private async findExperimentDir(experimentId: string): Promise<string> {
    for (const parent of [this.root, this.trash]) {
      if ((await this.experimentIds(parent)).includes(experimentId)) return join(parent, experimentId);
    }
    throw new NflPredError("NOT_FOUND", `no experiment with id ${experimentId}`, {
      file: this.root,
      value: experimentId,
    });
  }

  private async findRunDir(runId: string): Promise<string> {
    validateRunId(runId);
    await this.init();
    for (const parent of [this.root, this.trash]) {
      for (const id of await this.experimentIds(parent)) {
        const runDir = join(parent, id, runId);
        if (await isFile(join(runDir, META))) return runDir;
      }
    }
    throw new NflPredError("NOT_FOUND", `no run with id ${runId}`, { file: this.root, value: runId });
  }
}

class FileRunHandle implements RunHandle {
  constructor(
    private readonly store: FileTrackingStore,
    private readonly runDir: string,
    readonly runId: string,
    readonly experimentId: string,
    readonly artifactDir: string,
  ) {}

  async logParam(key: string, value: ParamValue): Promise<void> {
    const text = String(value);
    validateKey("param", key);
    validateValue("param", key, text);
    const path = keyPath(this.runDir, "params", key);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, text, { flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const current = await readFile(path, "utf8");
      if (current !== text) {
        throw new NflPredError(
          "INTEGRITY",
          `param '${key}' of run ${this.runId} is already '${current}'; params cannot change (got '${text}')`,
          { file: path, value: key, hint: "log the new value under another key or in a new run" },
        );
      }
    }
  }

  async logParams(params: Readonly<Record<string, ParamValue>>): Promise<void> {
    for (const [k, v] of Object.entries(params)) await this.logParam(k, v);
  }

  async logMetric(key: string, value: number, step = 0): Promise<void> {
    validateKey("metric", key);
    if (typeof value !== "number") {
      throw new NflPredError("USAGE", `metric '${key}' must be a number, got ${typeof value}`, {
        value: key,
      });
    }
    if (!Number.isSafeInteger(step)) {
      throw new NflPredError("USAGE", `metric '${key}' step must be an integer, got ${step}`, { value: key });
    }
    const path = keyPath(this.runDir, "metrics", key);
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${this.store.now()} ${formatMetricValue(value)} ${step}\n`);
  }

  async logMetrics(metrics: Readonly<Record<string, number>>, step = 0): Promise<void> {
    for (const [k, v] of Object.entries(metrics)) await this.logMetric(k, v, step);
  }

  setTag(key: string, value: string): Promise<void> {
    return this.store.setRunTag(this.runDir, key, value);
  }

  async logArtifact(srcPath: string, artifactSubdir?: string): Promise<string> {
    const destDir = artifactSubdir === undefined ? this.artifactDir : this.artifactPath(artifactSubdir);
    const dest = join(destDir, basename(srcPath));
    await mkdir(destDir, { recursive: true });
    const info = await stat(srcPath).catch((cause: unknown) => {
      throw new NflPredError("NOT_FOUND", `artifact source ${srcPath} does not exist`, {
        file: srcPath,
        cause,
      });
    });
    await cp(srcPath, dest, { recursive: info.isDirectory(), force: true });
    return dest;
  }

  async logText(text: string, artifactName: string): Promise<string> {
    const dest = this.artifactPath(artifactName);
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, text);
    return dest;
  }

  async end(status: "FINISHED" | "FAILED" | "KILLED"): Promise<void> {
    if (!ENDED.includes(status)) {
      throw new NflPredError("USAGE", `a run ends as ${ENDED.join(", ")}, not '${status}'`);
    }
    const meta = await requireRunMeta(this.runDir);
    const ended = { ...meta, status: STATUS_CODES[status], end_time: this.store.now() };
    await writeYaml(join(this.runDir, META), ended);
  }

  private artifactPath(rel: string): string {
    const segments = rel.split(/[\\/]/);
    if (isAbsolute(rel) || rel === "" || segments.some((s) => s === ".." || s === "")) {
      throw new NflPredError("USAGE", `artifact path '${rel}' must be relative and stay inside the run`, {
        value: rel,
      });
    }
    return join(this.artifactDir, ...segments);
  }
}

async function readRunInfo(runDir: string, known?: RunMeta): Promise<RunInfo> {
  const meta = known ?? (await requireRunMeta(runDir));
  const [params, tags, metricFiles] = await Promise.all([
    readKeyFiles(join(runDir, "params")),
    readKeyFiles(join(runDir, "tags")),
    readKeyFiles(join(runDir, "metrics")),
  ]);
  const metrics: Record<string, number> = {};
  for (const [key, text] of Object.entries(metricFiles)) {
    const latest = latestMetric(text);
    if (latest !== undefined) metrics[key] = latest;
  }
  const status = (Object.keys(STATUS_CODES) as RunStatus[]).find((s) => STATUS_CODES[s] === meta.status);
  return {
    runId: String(meta.run_id ?? meta.run_uuid),
    experimentId: String(meta.experiment_id),
    runName: meta.run_name || tags[RUN_NAME_TAG] || "",
    status: status ?? "RUNNING",
    lifecycleStage: meta.lifecycle_stage ?? "active",
    startTime: meta.start_time,
    endTime: meta.end_time ?? null,
    deletedTime: meta.deleted_time ?? null,
    userId: String(meta.user_id ?? ""),
    artifactUri: meta.artifact_uri,
    artifactDir: fileUriToPath(meta.artifact_uri) ?? join(runDir, "artifacts"),
    params,
    metrics,
    tags,
  };
}

/** MLflow keeps the value at the highest step, ties broken by timestamp, then value. */
function latestMetric(text: string): number | undefined {
  let best: [number, number, number] | undefined;
  for (const line of text.split("\n")) {
    const parts = line.trim().split(" ");
    if (parts.length !== 2 && parts.length !== 3) continue;
    const entry: [number, number, number] = [
      Number(parts[2] ?? 0),
      Number(parts[0]),
      parseMetricValue(parts[1]!),
    ];
    if (best === undefined || compareTuples(entry, best) > 0) best = entry;
  }
  return best?.[2];
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/** Python's float repr for the non-finite values, so MLflow's `float()` reads them back. */
function formatMetricValue(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Number.POSITIVE_INFINITY) return "inf";
  if (v === Number.NEGATIVE_INFINITY) return "-inf";
  return String(v);
}

function parseMetricValue(s: string): number {
  const lower = s.toLowerCase();
  if (lower === "nan") return Number.NaN;
  if (lower === "inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  return Number(s);
}

/** Keys with `/` are nested folders (MLflow walks the tree), so read recursively. */
async function readKeyFiles(dir: string, prefix = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true }).catch(emptyIfMissing)) {
    const path = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, await readKeyFiles(path, `${prefix}${e.name}/`));
    else if (e.isFile()) out[`${prefix}${e.name}`] = await readFile(path, "utf8");
  }
  return out;
}

async function writeRunFile(runDir: string, folder: "tags", key: string, value: string): Promise<void> {
  validateKey("tag", key);
  validateValue("tag", key, value);
  const path = keyPath(runDir, folder, key);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, value);
}

function keyPath(runDir: string, folder: string, key: string): string {
  return join(runDir, folder, ...key.split("/"));
}

async function requireRunMeta(runDir: string): Promise<RunMeta> {
  const meta = await readYaml<RunMeta>(join(runDir, META));
  if (meta === undefined) {
    throw new NflPredError("INTEGRITY", `run folder ${runDir} has no meta.yaml`, { file: runDir });
  }
  return meta;
}

async function readYaml<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") {
      return undefined;
    }
    throw e;
  }
  try {
    return parse(text) as T;
  } catch (cause) {
    throw new NflPredError("INTEGRITY", `malformed ${path}`, { file: path, cause });
  }
}

/** Sorted keys, block style, single quotes: the shape PyYAML's safe_dump gives MLflow's own files. */
async function writeYaml(path: string, data: object): Promise<void> {
  const text = stringify(data, { sortMapEntries: true, singleQuote: true, lineWidth: 0 });
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

function fileUriToPath(uri: string): string | undefined {
  if (!/^file:\/\//i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function emptyIfMissing(e: unknown): never[] {
  if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
  throw e;
}

function ignoreExists(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
