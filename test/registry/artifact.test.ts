import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isNflPredError, type NflPredError } from "../../src/domain/index.ts";
import {
  type Calibrator,
  createMatrix,
  createRng,
  fitIsotonic,
  fitPlatt,
  logisticLearner,
  type Matrix,
  restoreCalibrator,
  restoreModel,
  serializeModel,
  sigmoid,
} from "../../src/model/index.ts";
import {
  ARTIFACT_FORMAT,
  type ModelArtifact,
  readArtifact,
  writeArtifact,
} from "../../src/registry/index.ts";
import { tempDir } from "../helpers/mirror.ts";

const NAMES = ["x1", "x2", "x3"];

/** Rows with a known logistic signal; x3 is missing in every fifth row to exercise imputation. */
function synthetic(n: number, seed: number): { X: Matrix; y: Float64Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * NAMES.length);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x1 = rng() * 4 - 2;
    const x2 = rng() * 2 - 1;
    const x3 = i % 5 === 0 ? Number.NaN : rng() * 10;
    data.set([x1, x2, x3], i * NAMES.length);
    y[i] = rng() < sigmoid(1.5 * x1 - x2 + 0.1 * (Number.isNaN(x3) ? 5 : x3) - 0.5) ? 1 : 0;
  }
  return { X: createMatrix(n, NAMES.length, data, NAMES), y };
}

function fitted(calibrate: (p: Float64Array, y: Float64Array) => Calibrator) {
  const train = synthetic(300, 1);
  const model = logisticLearner({ l2: 1 }).fit(train.X, train.y, { seed: 3 });
  const calibrator = calibrate(model.predict(train.X), train.y);
  const artifact: ModelArtifact = {
    format: ARTIFACT_FORMAT,
    modelId: "test_logistic_20240101T000000Z",
    createdAt: "2024-01-01T00:00:00.000Z",
    featureSet: "test_v1",
    featureSpecChecksum: "0".repeat(64),
    designColumns: NAMES,
    model: serializeModel(model),
    calibrator: { kind: calibrator.kind, params: calibrator.params },
    trainingWindow: {
      seasons: [2023],
      firstGameId: "2023_01_A_B",
      lastGameId: "2023_18_C_D",
      lastKickoff: "2024-01-07T21:25:00.000Z",
      games: 300,
    },
    metrics: { holdout_brier: 0.21 },
    settings: { learner: "logistic", l2: 1 },
    codeVersion: "test",
    dataVersions: { schedules_2023: "abc" },
    trackingRunId: null,
  };
  return { model, calibrator, artifact };
}

function errorOf(fn: () => unknown): NflPredError {
  try {
    fn();
  } catch (e) {
    if (isNflPredError(e)) return e;
    throw e;
  }
  throw new Error("expected an NflPredError, nothing was thrown");
}

describe("model artifacts", () => {
  it("round-trips through writeArtifact/readArtifact with a matching sha256 file", () => {
    const dir = tempDir("nflpred-art-");
    const { artifact } = fitted(fitPlatt);
    const written = writeArtifact(dir, artifact);
    expect(written.path).toBe(join(dir, `${artifact.modelId}.model.json`));
    const bytes = readFileSync(written.path);
    expect(written.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(readFileSync(`${written.path}.sha256`, "utf8")).toBe(
      `${written.sha256}  ${artifact.modelId}.model.json\n`,
    );
    const read = readArtifact(written.path);
    expect(read.sha256).toBe(written.sha256);
    expect(read.artifact).toEqual(artifact);
  });

  for (const [name, calibrate] of [
    ["platt", fitPlatt],
    ["isotonic", fitIsotonic],
  ] as const) {
    it(`a logistic model with a ${name} calibrator, restored from its artifact, predicts identically`, () => {
      const dir = tempDir("nflpred-art-");
      const { model, calibrator, artifact } = fitted(calibrate);
      expect(calibrator.kind).toBe(name);
      const { artifact: a } = readArtifact(writeArtifact(dir, artifact).path);
      const restored = restoreModel(a.model.kind, a.model.features, a.model.params);
      const restoredCal = restoreCalibrator(a.calibrator.kind, a.calibrator.params);
      const fresh = synthetic(200, 99);
      const expected = calibrator.apply(model.predict(fresh.X));
      const got = restoredCal.apply(restored.predict(fresh.X));
      expect(Array.from(got)).toEqual(Array.from(expected));
      // Not a constant model: the check above would be vacuous otherwise.
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.5);
      // Columns are matched by name, not position.
      const shuffled = createMatrix(
        fresh.X.rows,
        3,
        Float64Array.from({ length: fresh.X.rows * 3 }, (_, k) => {
          const i = Math.floor(k / 3);
          const j = [2, 0, 1][k % 3]!;
          return fresh.X.data[i * 3 + j]!;
        }),
        ["x3", "x1", "x2"],
      );
      expect(Array.from(restoredCal.apply(restored.predict(shuffled)))).toEqual(Array.from(expected));
    });
  }

  it("refuses an artifact with one byte flipped, naming the file", () => {
    const dir = tempDir("nflpred-art-");
    const { path } = writeArtifact(dir, fitted(fitPlatt).artifact);
    const bytes = readFileSync(path);
    const at = bytes.indexOf("holdout_brier") + 2;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(path, bytes);
    const e = errorOf(() => readArtifact(path));
    expect(e.code).toBe("INTEGRITY");
    expect(e.file).toBe(path);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/sha256/);
    expect(e.exitCode).toBe(2);
  });

  it("refuses an artifact whose .sha256 file is missing", () => {
    const dir = tempDir("nflpred-art-");
    const { path } = writeArtifact(dir, fitted(fitPlatt).artifact);
    rmSync(`${path}.sha256`);
    const e = errorOf(() => readArtifact(path));
    expect(e.code).toBe("INTEGRITY");
    expect(e.file).toBe(path);
    expect(e.message).toContain(".sha256");
  });

  it("refuses a truncated artifact, also when its checksum was recomputed to match", () => {
    const dir = tempDir("nflpred-art-");
    const { path } = writeArtifact(dir, fitted(fitPlatt).artifact);
    const half = readFileSync(path).subarray(0, 200);
    writeFileSync(path, half);
    const mismatch = errorOf(() => readArtifact(path));
    expect(mismatch.code).toBe("INTEGRITY");
    expect(mismatch.message).toContain(path);

    writeFileSync(`${path}.sha256`, `${createHash("sha256").update(half).digest("hex")}  x\n`);
    const broken = errorOf(() => readArtifact(path));
    expect(broken.code).toBe("INTEGRITY");
    expect(broken.file).toBe(path);
    expect(broken.message).toMatch(/not valid JSON/);
  });

  it("refuses an unknown artifact format with a MODEL error", () => {
    const dir = tempDir("nflpred-art-");
    const { path } = writeArtifact(dir, { ...fitted(fitPlatt).artifact, format: "nfl-pred-model/99" });
    const e = errorOf(() => readArtifact(path));
    expect(e.code).toBe("MODEL");
    expect(e.file).toBe(path);
    expect(e.message).toContain("nfl-pred-model/99");
    expect(e.message).toContain(ARTIFACT_FORMAT);
  });

  it("reports a missing artifact as NOT_FOUND", () => {
    const path = join(tempDir("nflpred-art-"), "nope.model.json");
    const e = errorOf(() => readArtifact(path));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.file).toBe(path);
  });
});
