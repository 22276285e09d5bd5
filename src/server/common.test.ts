import { describe, expect, it } from "vitest";
import { readReasons } from "./common.ts";

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
