import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  hygieneRecordPath,
  planRetention,
  type RetentionPolicy,
  type RunForRetention,
  readHygieneRecord,
  writeHygieneRecord,
} from "./hygiene.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 10, 1);

const policy: RetentionPolicy = {
  max_age_days: 30,
  keep_last_runs: 2,
  keep_top_runs: 1,
  metric: "holdout_brier",
  goal: "minimize",
  protect_promoted: true,
};

/** Ten runs, one per 10 days back; run i started i*10 days ago, Brier 0.20 + i/100 except where set. */
function runs(): RunForRetention[] {
  return Array.from({ length: 10 }, (_, i) => ({
    runId: `r${i}`,
    runName: `model_${i}`,
    startTime: NOW - i * 10 * DAY - 1,
    metrics: i === 7 ? { holdout_brier: 0.15 } : i === 8 ? {} : { holdout_brier: 0.2 + i / 100 },
    tags: i === 5 ? { stage: "candidate" } : i === 6 ? { stage: "none" } : {},
  }));
}

const kept = (ds: { runId: string; keep: boolean }[]) => ds.filter((d) => d.keep).map((d) => d.runId);

describe("planRetention", () => {
  it("keeps the union of newest, best, young and protected, deletes the rest", () => {
    const linked = new Map([["r9", "current"]]);
    const ds = planRetention(runs(), policy, linked, NOW);
    // newest 2: r0 r1; young (< 30 days): r0 r1 r2; best 1 by Brier: r7; tagged candidate: r5; linked: r9.
    expect(kept(ds).sort()).toEqual(["r0", "r1", "r2", "r5", "r7", "r9"]);
    const r9 = ds.find((d) => d.runId === "r9")!;
    expect(r9).toMatchObject({ protected: true, reasons: ["linked by data/models/current"] });
    expect(ds.find((d) => d.runId === "r7")?.reasons).toEqual(["best 1 by holdout_brier"]);
    expect(ds.find((d) => d.runId === "r3")).toMatchObject({ keep: false, reasons: [] });
  });

  it("protect_promoted: false drops tag protection but never link protection", () => {
    const ds = planRetention(
      runs(),
      { ...policy, protect_promoted: false },
      new Map([["r9", "previous"]]),
      NOW,
    );
    expect(kept(ds)).not.toContain("r5");
    expect(kept(ds)).toContain("r9");
  });

  it("maximize picks the highest metric; runs without the metric are never 'best'", () => {
    const ds = planRetention(runs(), { ...policy, goal: "maximize", keep_top_runs: 2 }, new Map(), NOW);
    // Highest Brier: r9 (0.29), then r6 (0.26) — r8 has no metric.
    expect(ds.filter((d) => d.reasons.some((r) => r.startsWith("best"))).map((d) => d.runId)).toEqual([
      "r6",
      "r9",
    ]);
  });

  it("zero counts keep only young and protected runs", () => {
    const ds = planRetention(
      runs(),
      { ...policy, keep_last_runs: 0, keep_top_runs: 0, max_age_days: 1 },
      new Map(),
      NOW,
    );
    expect(kept(ds)).toEqual(["r0", "r5"]);
  });
});

describe("hygiene record", () => {
  it("round-trips and treats an unreadable record as never run", () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-hyg-"));
    expect(readHygieneRecord(dir)).toBeUndefined();
    const rec = {
      ran_at: "2024-11-01T00:00:00.000Z",
      dry_run: true,
      delete_artifacts: false,
      experiment: "1",
      runs: 3,
      kept: 3,
      deleted: 0,
      deleted_run_ids: [],
    };
    writeHygieneRecord(dir, rec);
    expect(readHygieneRecord(dir)).toEqual(rec);
    writeFileSync(hygieneRecordPath(dir), "{ half");
    expect(readHygieneRecord(dir)).toBeUndefined();
  });
});
