import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createTrackingStore, type TrackingStore } from "./index.ts";

const T0 = 1_700_000_000_000;
let dir: string;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nfl-pred-tracking-"));
  clock = T0;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function open(extra: { trackingUri?: string; gitCommit?: string } = {}): TrackingStore {
  return createTrackingStore({ cwd: dir, now, user: "tester", ...extra });
}

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(relative(root, p) + (e.isDirectory() ? "/" : ""));
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk(root);
  return out.sort();
}

const yamlAt = async (path: string) => parse(await readFile(path, "utf8")) as Record<string, unknown>;
const topLevelKeys = (text: string) => text.split("\n").flatMap((l) => /^([a-z_]+):/.exec(l)?.[1] ?? []);

describe("file store layout", () => {
  it("round-trips a run and writes exactly MLflow's file layout", async () => {
    const store = open({ trackingUri: "file:./mlruns", gitCommit: "abc123" });
    const root = join(dir, "mlruns");
    expect(store.root).toBe(root);

    const expId = await store.getOrCreateExperiment("backtest");
    expect(expId).toBe("1");
    expect(await store.getOrCreateExperiment("backtest")).toBe("1");

    clock = T0 + 1_000;
    const run = await store.startRun(expId, "logistic-2023", { stage: "dev" });
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(run.artifactDir).toBe(join(root, "1", run.runId, "artifacts"));

    await run.logParams({ model: "logistic", l2: 0.5, calibrate: true });
    clock = T0 + 2_000;
    await run.logMetric("brier", 0.25, 0);
    clock = T0 + 3_000;
    await run.logMetrics({ brier: 0.2, "season/2023/log_loss": 0.61 }, 1);
    await run.setTag("mlflow.note.content", "first backtest");
    const src = join(dir, "report.csv");
    await writeFile(src, "season,brier\n2023,0.2\n");
    expect(await run.logArtifact(src, "reports")).toBe(join(run.artifactDir, "reports", "report.csv"));
    await run.logText('{"ok":true}', "summary/summary.json");
    clock = T0 + 4_000;
    await run.end("FINISHED");

    const r = `1/${run.runId}`;
    expect(await listTree(root)).toEqual(
      [
        ".trash/",
        "0/",
        "0/meta.yaml",
        "1/",
        "1/meta.yaml",
        `${r}/`,
        `${r}/artifacts/`,
        `${r}/artifacts/reports/`,
        `${r}/artifacts/reports/report.csv`,
        `${r}/artifacts/summary/`,
        `${r}/artifacts/summary/summary.json`,
        `${r}/meta.yaml`,
        `${r}/metrics/`,
        `${r}/metrics/brier`,
        `${r}/metrics/season/`,
        `${r}/metrics/season/2023/`,
        `${r}/metrics/season/2023/log_loss`,
        `${r}/params/`,
        `${r}/params/calibrate`,
        `${r}/params/l2`,
        `${r}/params/model`,
        `${r}/tags/`,
        `${r}/tags/mlflow.note.content`,
        `${r}/tags/mlflow.runName`,
        `${r}/tags/mlflow.source.git.commit`,
        `${r}/tags/mlflow.source.name`,
        `${r}/tags/mlflow.source.type`,
        `${r}/tags/mlflow.user`,
        `${r}/tags/stage`,
      ].sort(),
    );

    expect(await yamlAt(join(root, "0", "meta.yaml"))).toEqual({
      artifact_location: pathToFileURL(join(root, "0")).href,
      creation_time: T0,
      experiment_id: "0",
      last_update_time: T0,
      lifecycle_stage: "active",
      name: "Default",
    });
    const expText = await readFile(join(root, "1", "meta.yaml"), "utf8");
    expect(expText).toContain("experiment_id: '1'\n");
    expect(expText).toContain(`artifact_location: file://${root}/1\n`);
    expect(topLevelKeys(expText)).toEqual([...topLevelKeys(expText)].sort());

    const runText = await readFile(join(root, r, "meta.yaml"), "utf8");
    expect(topLevelKeys(runText)).toEqual([...topLevelKeys(runText)].sort());
    expect(runText).toContain("tags: []\n");
    expect(parse(runText)).toEqual({
      artifact_uri: `file://${root}/1/${run.runId}/artifacts`,
      deleted_time: null,
      end_time: T0 + 4_000,
      entry_point_name: "",
      experiment_id: "1",
      lifecycle_stage: "active",
      run_id: run.runId,
      run_name: "logistic-2023",
      run_uuid: run.runId,
      source_name: "",
      source_type: 4,
      source_version: "",
      start_time: T0 + 1_000,
      status: 3,
      tags: [],
      user_id: "tester",
    });

    const metric = (k: string) => readFile(join(root, r, "metrics", k), "utf8");
    expect(await metric("brier")).toBe(`${T0 + 2_000} 0.25 0\n${T0 + 3_000} 0.2 1\n`);
    expect(await metric("season/2023/log_loss")).toBe(`${T0 + 3_000} 0.61 1\n`);
    expect(await readFile(join(root, r, "params", "l2"), "utf8")).toBe("0.5");
    expect(await readFile(join(root, r, "params", "calibrate"), "utf8")).toBe("true");
    expect(await readFile(join(root, r, "tags", "mlflow.source.type"), "utf8")).toBe("LOCAL");

    const [info, ...rest] = await store.listRuns(expId);
    expect(rest).toEqual([]);
    expect(info).toEqual({
      runId: run.runId,
      experimentId: "1",
      runName: "logistic-2023",
      status: "FINISHED",
      lifecycleStage: "active",
      startTime: T0 + 1_000,
      endTime: T0 + 4_000,
      deletedTime: null,
      userId: "tester",
      artifactUri: `file://${root}/1/${run.runId}/artifacts`,
      artifactDir: run.artifactDir,
      params: { model: "logistic", l2: "0.5", calibrate: "true" },
      metrics: { brier: 0.2, "season/2023/log_loss": 0.61 },
      tags: {
        "mlflow.runName": "logistic-2023",
        "mlflow.user": "tester",
        "mlflow.source.type": "LOCAL",
        "mlflow.source.name": "nfl-pred",
        "mlflow.source.git.commit": "abc123",
        "mlflow.note.content": "first backtest",
        stage: "dev",
      },
    });
    expect(await store.getRun(run.runId)).toEqual(info);
  });

  it("starts a run in the Default experiment and lists runs newest first across experiments", async () => {
    const store = open();
    const a = await store.startRun("0", "first");
    clock += 10;
    const b = await store.startRun(await store.getOrCreateExperiment("other"), "second");
    await a.end("FAILED");
    const runs = await store.listRuns();
    expect(runs.map((x) => [x.runName, x.status, x.experimentId])).toEqual([
      ["second", "RUNNING", "1"],
      ["first", "FAILED", "0"],
    ]);
    expect(b.experimentId).toBe("1");
  });

  it("keeps the latest metric by step, then timestamp, and round-trips non-finite values", async () => {
    const store = open();
    const run = await store.startRun("0", "m");
    await run.logMetric("late_step", 1, 5);
    clock += 100;
    await run.logMetric("late_step", 2, 3);
    await run.logMetric("same_step", 1, 0);
    clock += 100;
    await run.logMetric("same_step", 7, 0);
    await run.logMetric("nan", Number.NaN);
    await run.logMetric("inf", Number.NEGATIVE_INFINITY);
    const { metrics } = await store.getRun(run.runId);
    expect(metrics).toEqual({ late_step: 1, same_step: 7, nan: Number.NaN, inf: Number.NEGATIVE_INFINITY });
    const raw = await readFile(join(run.artifactDir, "..", "metrics", "inf"), "utf8");
    expect(raw).toBe(`${clock} -inf 0\n`);
  });

  it("rejects a fractional step and a non-MLflow key", async () => {
    const run = await open().startRun("0", "m");
    await expect(run.logMetric("x", 1, 1.5)).rejects.toMatchObject({ code: "USAGE" });
    await expect(run.logMetric("../escape", 1)).rejects.toMatchObject({ code: "USAGE" });
    await expect(run.logText("x", "../outside.txt")).rejects.toMatchObject({ code: "USAGE" });
  });
});

describe("experiments", () => {
  it("creates the Default experiment on first use and numbers new ones after every existing id", async () => {
    const store = open();
    const root = join(dir, "mlruns");
    await expect(stat(root)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await store.getOrCreateExperiment("Default")).toBe("0");
    expect((await stat(join(root, ".trash"))).isDirectory()).toBe(true);
    await mkdir(join(root, ".trash", "7"));
    await writeFile(
      join(root, ".trash", "7", "meta.yaml"),
      "experiment_id: '7'\nlifecycle_stage: deleted\nname: gone\n",
    );
    expect(await store.getOrCreateExperiment("fresh")).toBe("8");
    await expect(store.getOrCreateExperiment("gone")).rejects.toMatchObject({ code: "CONFIG" });
  });

  it("refuses to start a run in a missing experiment", async () => {
    await expect(open().startRun("42", "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("params", () => {
  it("are immutable: the same value is accepted, a different one throws and leaves the file", async () => {
    const run = await open().startRun("0", "p");
    await run.logParam("model", "logistic");
    await run.logParam("model", "logistic");
    await expect(run.logParam("model", "xgboost")).rejects.toMatchObject({ code: "INTEGRITY" });
    await expect(run.logParams({ seed: 1, model: "xgboost" })).rejects.toThrow(/params cannot change/);
    const path = join(run.artifactDir, "..", "params", "model");
    expect(await readFile(path, "utf8")).toBe("logistic");
  });

  it("refuses values that look like a webhook URL", async () => {
    const run = await open().startRun("0", "p");
    await expect(run.logParam("alert", "https://hooks.slack.com/services/T/B/secret")).rejects.toMatchObject({
      code: "USAGE",
    });
    await expect(run.setTag("hook", "https://discord.com/api/webhooks/1/abc")).rejects.toThrow(/secret/);
  });
});

describe("tags", () => {
  it("renaming via mlflow.runName updates meta.yaml, as MLflow does", async () => {
    const store = open();
    const run = await store.startRun("0", "old");
    await store.setTag(run.runId, "mlflow.runName", "new");
    const meta = await yamlAt(join(run.artifactDir, "..", "meta.yaml"));
    expect(meta.run_name).toBe("new");
    expect((await store.getRun(run.runId)).runName).toBe("new");
  });

  it("rejects a runName tag that contradicts the run name", async () => {
    await expect(open().startRun("0", "a", { "mlflow.runName": "b" })).rejects.toMatchObject({
      code: "USAGE",
    });
  });
});

describe("deleteRun", () => {
  it("soft-deletes: lifecycle_stage and deleted_time in meta.yaml, run files kept", async () => {
    const store = open();
    const run = await store.startRun("0", "d");
    await run.logText("kept", "note.txt");
    await run.end("FINISHED");
    clock = T0 + 9_000;
    await store.deleteRun(run.runId, { deleteArtifacts: false });

    const meta = await yamlAt(join(run.artifactDir, "..", "meta.yaml"));
    expect(meta).toMatchObject({ lifecycle_stage: "deleted", deleted_time: T0 + 9_000, status: 3 });
    expect(await readFile(join(run.artifactDir, "note.txt"), "utf8")).toBe("kept");
    expect(await store.listRuns("0")).toEqual([]);
    const [deleted] = await store.listRuns("0", { view: "deleted" });
    expect(deleted).toMatchObject({ runId: run.runId, lifecycleStage: "deleted", deletedTime: T0 + 9_000 });
    expect(await store.listRuns("0", { view: "all" })).toHaveLength(1);
    await expect(store.setTag(run.runId, "k", "v")).rejects.toMatchObject({ code: "USAGE" });
  });

  it("with deleteArtifacts removes only the artifacts directory", async () => {
    const store = open();
    const run = await store.startRun("0", "d");
    await run.logText("gone", "note.txt");
    await run.logParam("p", "1");
    await store.deleteRun(run.runId, { deleteArtifacts: true });
    await expect(stat(run.artifactDir)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await store.getRun(run.runId)).params).toEqual({ p: "1" });
  });

  it("refuses to remove artifacts outside the store when meta.yaml was edited", async () => {
    const store = open();
    const run = await store.startRun("0", "d");
    const metaPath = join(run.artifactDir, "..", "meta.yaml");
    const outside = join(dir, "precious");
    await mkdir(outside);
    const text = await readFile(metaPath, "utf8");
    await writeFile(
      metaPath,
      text.replace(/artifact_uri: .*/, `artifact_uri: ${pathToFileURL(outside).href}`),
    );
    await expect(store.deleteRun(run.runId, { deleteArtifacts: true })).rejects.toMatchObject({
      code: "INTEGRITY",
    });
    await expect(stat(outside)).resolves.toBeTruthy();
  });

  it("reports an unknown run id", async () => {
    await expect(open().deleteRun("0".repeat(32), { deleteArtifacts: false })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(open().getRun("not-a-run-id")).rejects.toMatchObject({ code: "USAGE" });
  });
});

describe("tracking URI forms", () => {
  it.each([
    ["file:./runs-a", "runs-a"],
    ["file:runs-b", "runs-b"],
    ["runs-c", "runs-c"],
  ])("%s writes under cwd/%s", async (uri, sub) => {
    const store = open({ trackingUri: uri });
    await store.getOrCreateExperiment("x");
    expect(store.root).toBe(join(dir, sub));
    expect(await readdir(store.root)).toEqual(expect.arrayContaining([".trash", "0", "1"]));
  });

  it("file:///abs writes at the absolute path", async () => {
    const abs = join(dir, "abs", "mlruns");
    const store = open({ trackingUri: pathToFileURL(abs).href });
    await store.getOrCreateExperiment("x");
    expect(store.root).toBe(abs);
    const meta = await yamlAt(join(abs, "1", "meta.yaml"));
    expect(meta.artifact_location).toBe(pathToFileURL(join(abs, "1")).href);
  });
});
