import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isNflPredError } from "../domain/index.ts";
import { defaultRawConfig, loadConfig } from "./index.ts";

const repoRoot = new URL("../../", import.meta.url).pathname;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "nflpred-cfg-"));
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("config", () => {
  it("built-in defaults equal configs/default.yaml", () => {
    const yaml = parse(readFileSync(join(repoRoot, "configs/default.yaml"), "utf8"));
    expect(defaultRawConfig()).toEqual(yaml);
  });

  it("falls back to built-in defaults and resolves relative paths against cwd", () => {
    const cwd = tempDir();
    const cfg = loadConfig({ cwd, env: {} });
    expect(cfg.source).toBe("built-in defaults");
    expect(cfg.paths.duckdb_path).toBe(join(cwd, "data/nfl.duckdb"));
    expect(Object.isFrozen(cfg.paths)).toBe(true);
  });

  it("applies NFL_PRED__SECTION__KEY overrides with YAML typing", () => {
    const cfg = loadConfig({
      cwd: repoRoot,
      env: { NFL_PRED__TRAINING__SEASONS_BACK: "3", NFL_PRED__MLFLOW__HYGIENE__RETENTION__GOAL: "maximize" },
    });
    expect(cfg.training.seasons_back).toBe(3);
    expect(cfg.mlflow.hygiene.retention.goal).toBe("maximize");
  });

  it("names the dotted path of an unknown key", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "c.yaml"), "training:\n  seasons_bak: 3\n");
    const err = errorOf(() => loadConfig({ cwd: dir, path: "c.yaml", env: {} }));
    expect(isNflPredError(err)).toBe(true);
    expect(err.message).toContain("training.seasons_bak");
  });

  it("names the dotted path and expectation of a bad value", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "c.yaml"), "mlflow:\n  hygiene:\n    retention:\n      goal: sideways\n");
    const err = errorOf(() => loadConfig({ cwd: dir, path: "c.yaml", env: {} }));
    expect(err.message).toContain("mlflow.hygiene.retention.goal");
    expect(err.message).toMatch(/minimize/);
  });

  it("leaves DuckDB's threads to DuckDB unless storage.threads sets a positive count", () => {
    expect(loadConfig({ cwd: tempDir(), env: {} }).storage.threads).toBeNull();
    expect(loadConfig({ cwd: repoRoot, env: { NFL_PRED__STORAGE__THREADS: "2" } }).storage.threads).toBe(2);
    const err = errorOf(() => loadConfig({ cwd: repoRoot, env: { NFL_PRED__STORAGE__THREADS: "0" } }));
    expect(err.message).toContain("storage.threads");
  });

  it("rejects a bad env override by its path, naming the variable that set it", () => {
    const err = errorOf(() => loadConfig({ cwd: repoRoot, env: { NFL_PRED__TRAINING__SEED: "abc" } }));
    expect(err.message).toContain(
      "training.seed: Invalid input: expected number, received string (set by NFL_PRED__TRAINING__SEED)",
    );
    const typo = errorOf(() => loadConfig({ cwd: repoRoot, env: { NFL_PRED__TRAINING__MODLE: "gbm" } }));
    expect(typo.message).toContain("unknown key training.modle (set by NFL_PRED__TRAINING__MODLE)");
  });

  it("fails clearly when --config names a missing file", () => {
    const err = errorOf(() => loadConfig({ cwd: tempDir(), path: "nope.yaml", env: {} }));
    expect(err.message).toContain("nope.yaml");
  });
});
