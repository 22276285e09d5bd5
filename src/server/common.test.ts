import { describe, expect, it } from "vitest";
import { readReasons, stageRan, stageStatus } from "./common.ts";

describe("readReasons", () => {
  it("keeps a reason's missing flag from the stored JSON, and reads older rows without one as present", () => {
    const stored = JSON.stringify([
      { feature: "diff_qb_value_delta", logit: 0.26, missing: true },
      { feature: "diff_power_rating", logit: -0.52 },
    ]);
    const [missing, present] = readReasons(stored);
    expect(missing).toMatchObject({ feature: "diff_qb_value_delta", logit: 0.26, missing: true });
    expect(present).toMatchObject({ feature: "diff_power_rating", logit: -0.52, missing: false });
    expect(missing!.description).not.toBe("");
  });

  it("drops malformed rows and unreadable JSON instead of failing the page", () => {
    expect(readReasons("not json")).toEqual([]);
    expect(readReasons(JSON.stringify([{ feature: 1, logit: 0.1 }, null, { feature: "x" }]))).toEqual([]);
  });
});

describe("stageRan", () => {
  const T = Date.parse("2025-10-26T16:00:00Z");
  it("counts a run recorded under the stage's time, at or after it", () => {
    expect(stageRan([{ snapshotAt: T, ranAt: T }], T)).toBe(true);
    expect(stageRan([{ snapshotAt: T, ranAt: T + 86_400_000 }], T)).toBe(true);
  });
  it("does not count a rehearsal (recorded under the instant it ran) or a run ahead of the stage's time", () => {
    const rehearsal = { snapshotAt: T - 2 * 86_400_000, ranAt: T - 2 * 86_400_000 };
    const early = { snapshotAt: T, ranAt: T - 3_600_000 };
    expect(stageRan([rehearsal, early], T)).toBe(false);
    expect(stageRan([], T)).toBe(false);
    expect(stageRan([rehearsal, early, { snapshotAt: T, ranAt: T + 1 }], T)).toBe(true);
  });
  it("stageStatus: ahead until the stage's time, then done or not run", () => {
    const runs = new Map([["T-60m", [{ snapshotAt: T, ranAt: T + 1 }]]]);
    expect(stageStatus(runs, "T-60m", T, T - 1)).toBe("ahead");
    expect(stageStatus(runs, "T-60m", T, T + 1)).toBe("done");
    expect(stageStatus(runs, "T-75m", T - 900_000, T + 1)).toBe("not_run");
  });
});
