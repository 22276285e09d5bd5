import { describe, expect, it } from "vitest";
import { computeFeatureDrift, expectedNoisePsi, vanishedFeatures } from "./index.ts";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const rows = (values: readonly (number | null)[], name = "x") =>
  values.map((v) => ({ values: { [name]: v } }));

describe("computeFeatureDrift", () => {
  it("ranks features by PSI, flags breaches at the threshold and reports null shares", () => {
    const r = rng(7);
    const ref = Array.from({ length: 2000 }, () => ({
      values: { calm: normal(r), shifted: normal(r), gappy: normal(r) },
    }));
    const cur = Array.from({ length: 2000 }, (_, i) => ({
      values: { calm: normal(r), shifted: normal(r) + 1, gappy: i % 4 === 0 ? null : normal(r) },
    }));
    const drift = computeFeatureDrift(["calm", "gappy", "shifted"], ref, cur, { threshold: 0.2 });
    // A quarter of new nulls against none in the reference outweighs a one-sd shift (floored null bin).
    expect(drift.map((d) => d.feature)).toEqual(["gappy", "shifted", "calm"]);
    for (let i = 1; i < drift.length; i++) expect(drift[i - 1]!.psi).toBeGreaterThanOrEqual(drift[i]!.psi);
    expect(drift[1]!.breached).toBe(true);
    expect(drift[2]!.breached).toBe(false);
    expect(drift[0]!.currentNullShare).toBeCloseTo(0.25, 12);
    expect(drift[0]!.bins.at(-1)!.label).toBe("null");
    expect(drift[0]!.referenceN).toBe(2000);
  });

  it("names features null in every current row that the reference mostly had: missing data, not drift", () => {
    const ref = [1, 2, 3, 4].map((i) => ({ values: { gone: i, sparse: i === 1 ? i : null, kept: i } }));
    const cur = [1, 2].map((i) => ({ values: { gone: null, sparse: null, kept: i === 1 ? null : i } }));
    const drift = computeFeatureDrift(["gone", "sparse", "kept"], ref, cur, { threshold: 0.2 });
    const by = new Map(drift.map((d) => [d.feature, d]));
    expect([by.get("sparse")!.referenceNullShare, by.get("kept")!.currentNullShare]).toEqual([0.75, 0.5]);
    // "sparse" was null in 3 of 4 reference rows already; "kept" still has a value this week.
    expect(vanishedFeatures(drift).map((d) => d.feature)).toEqual(["gone"]);
    expect(
      vanishedFeatures(drift, 0.8)
        .map((d) => d.feature)
        .sort(),
    ).toEqual(["gone", "sparse"]);
  });

  it("an absent feature is all-null on both sides: PSI 0", () => {
    const [d] = computeFeatureDrift(["missing"], rows([1, 2, 3]), rows([4, 5]), { threshold: 0.2 });
    expect(d!.psi).toBeCloseTo(0, 12);
  });

  it("refuses empty samples", () => {
    expect(() => computeFeatureDrift(["x"], [], rows([1]), { threshold: 0.2 })).toThrow(
      /reference and current/,
    );
  });

  it("the no-drift PSI level matches simulated same-distribution samples of a week's size", () => {
    const r = rng(11);
    const trials = 600;
    for (const n of [30, 200]) {
      let sum = 0;
      for (let t = 0; t < trials; t++) {
        const ref = rows(Array.from({ length: 700 }, () => normal(r)));
        const cur = rows(Array.from({ length: n }, () => normal(r)));
        sum += computeFeatureDrift(["x"], ref, cur, { threshold: 0.2 })[0]!.psi;
      }
      const expected = expectedNoisePsi(10, 700, n);
      expect(Math.abs(sum / trials - expected) / expected).toBeLessThan(0.12);
    }
    // A week of team rows sits far above the 0.2 alert level by chance alone; 200 rows near the
    // chi-square figure (bins - 1) * (1/n_ref + 1/n_cur).
    expect(expectedNoisePsi(10, 700, 30)).toBeGreaterThan(0.4);
    expect(expectedNoisePsi(10, 700, 200)).toBeCloseTo(9 * (1 / 700 + 1 / 200), 2);
  });
});
