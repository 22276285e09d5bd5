import type { ModelArtifact } from "../../src/registry/index.ts";

/** A minimal, valid model artifact for registry tests that never predict with it. */
export function stubArtifact(modelId: string, trackingRunId: string | null = null): ModelArtifact {
  return {
    format: "nfl-pred-model/1",
    modelId,
    createdAt: "2024-01-01T00:00:00.000Z",
    featureSet: "mvp_v1",
    featureSpecChecksum: "x",
    designColumns: [],
    model: { kind: "logistic", features: [], params: {} },
    calibrator: { kind: "none", params: null },
    trainingWindow: {
      seasons: [2023],
      firstGameId: "a",
      lastGameId: "b",
      lastKickoff: "2024-01-01T00:00:00.000Z",
      games: 1,
    },
    metrics: {},
    settings: {},
    codeVersion: "test",
    dataVersions: {},
    trackingRunId,
  };
}
