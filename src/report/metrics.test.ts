import { describe, expect, it } from "vitest";
import { createRng } from "../model/index.ts";
import {
  accuracy,
  brierScore,
  brierStandardError,
  expectedCalibrationError,
  logLoss,
  pairedBrierDifference,
  reliabilityBins,
  reliabilitySlope,
  slopeWithError,
} from "./index.ts";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("metrics", () => {
  it("reference values: Brier 0.07 and log loss 0.2797765635793423", () => {
    const p = [0.8, 0.4, 0.1];
    const y = [1, 0, 0];
    expect(brierScore(p, y)).toBeCloseTo(0.07, 15);
    expect(logLoss(p, y)).toBeCloseTo(0.2797765635793423, 15);
  });

  it("log loss takes soft labels and clips at eps", () => {
    expect(logLoss([0.5], [0.5])).toBeCloseTo(Math.LN2, 15);
    expect(logLoss([0.9], [0.5])).toBeCloseTo(-0.5 * Math.log(0.9) - 0.5 * Math.log(0.1), 15);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-15), 10);
    expect(logLoss([0], [1], 1e-3)).toBeCloseTo(-Math.log(1e-3), 12);
    expect(logLoss(Float64Array.of(0.8), Float64Array.of(1))).toBeCloseTo(-Math.log(0.8), 15);
  });

  it("accuracy picks home at p >= 0.5 and counts a tie as half", () => {
    expect(accuracy([0.5, 0.49, 0.9, 0.2], [1, 0, 0, 1])).toBe(0.5);
    expect(accuracy([0.7, 0.3, 0.5], [1, 1, 0.5])).toBe(0.5);
  });

  it("reliability bins are equal-width, keep p = 1 in the last bin, and mark empty bins NaN", () => {
    const bins = reliabilityBins([0.05, 0.15, 0.15, 1], [0, 1, 0, 1], 10);
    expect(bins.length).toBe(10);
    expect(bins.map((b) => b.count)).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(bins[1]).toMatchObject({ bin: 1, lower: 0.1, upper: 0.2, meanPredicted: 0.15, observedRate: 0.5 });
    expect(bins[2]!.meanPredicted).toBeNaN();
    expect(bins[9]!.upper).toBe(1);
  });

  it("ECE weights each bin's calibration gap by its count", () => {
    // Gaps 0.05 (1 row), 0.35 (2 rows), 0.05 (1 row).
    expect(expectedCalibrationError([0.05, 0.15, 0.15, 0.95], [0, 1, 0, 1])).toBeCloseTo(0.2, 12);
    expect(expectedCalibrationError([0.3, 0.3], [0, 1], 5)).toBeCloseTo(0.2, 12);
  });

  it("reliability slope is about 1 when calibrated and about 1/k when logits are stretched by k", () => {
    const r = rng(4);
    const n = 40_000;
    const p = Array.from({ length: n }, () => 0.03 + 0.94 * r());
    const y = p.map((q) => (r() < q ? 1 : 0));
    expect(reliabilitySlope(p, y)).toBeCloseTo(1, 1);
    const stretched = p.map((q) => 1 / (1 + Math.exp(-2 * Math.log(q / (1 - q)))));
    expect(reliabilitySlope(stretched, y)).toBeCloseTo(0.5, 1);
  });

  it("rejects mismatched lengths", () => {
    expect(() => brierScore([0.5], [1, 0])).toThrow(/1 probabilities but 2 labels/);
  });
});

describe("pairedBrierDifference", () => {
  const pA = [0.6, 0.7, 0.2, 0.9];
  const pB = [0.5, 0.5, 0.5, 0.5];
  const y = [1, 1, 0, 0];

  it("is the mean per-game difference, with the textbook standard error when every game is its own cluster", () => {
    // d = −0.09, −0.16, −0.21, +0.56
    const d = [-0.09, -0.16, -0.21, 0.56];
    const r = pairedBrierDifference(pA, pB, y);
    expect(r.diff).toBeCloseTo(0.025, 12);
    expect(r.diff).toBeCloseTo(brierScore(pA, y) - brierScore(pB, y), 12);
    const mean = 0.025;
    const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / 3);
    expect(r.se).toBeCloseTo(sd / 2, 12);
    expect(r.clusters).toBe(4);
  });

  it("treats a cluster's games as one draw", () => {
    // cluster sums of deviations: (−0.115 − 0.185) = −0.30 and (−0.235 + 0.535) = +0.30
    const r = pairedBrierDifference(pA, pB, y, ["w1", "w1", "w2", "w2"]);
    expect(r.se).toBeCloseTo(Math.sqrt((0.18 * 2) / 1) / 4, 12);
    expect(r.clusters).toBe(2);
    expect(pairedBrierDifference(pA, pB, y, ["w", "w", "w", "w"]).se).toBeNaN();
  });
});

describe("brierStandardError", () => {
  it("is the standard deviation of the games' squared errors over √n", () => {
    // Squared errors 0.04, 0.16, 0.01: mean 0.07, sample variance 0.0063.
    expect(brierStandardError([0.8, 0.4, 0.1], [1, 0, 0])).toBeCloseTo(Math.sqrt(0.0063 / 3), 12);
    expect(brierStandardError([0.3, 0.7], [0, 1])).toBeCloseTo(0, 12);
    expect(brierStandardError([0.6], [1])).toBeNaN();
  });

  it("about halves when the same games are seen four times as often", () => {
    const p = [0.8, 0.4, 0.1, 0.65, 0.3];
    const y = [1, 0, 0, 0, 1];
    const four = (a: number[]) => [...a, ...a, ...a, ...a];
    const ratio = brierStandardError(four(p), four(y)) / brierStandardError(p, y);
    // √((n − 1) / (4n − 1)) with n = 5: 1/2 but for the n − 1 of the sample variance.
    expect(ratio).toBeCloseTo(Math.sqrt((5 - 1) / (20 - 1)), 12);
  });
});

describe("slopeWithError", () => {
  // Outcomes drawn from a known logit; forecasts are that logit scaled by 1/k, so the true slope is k.
  function simulate(n: number, k: number, seed: number) {
    const rng = createRng(seed);
    const p: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const z = (rng() - 0.5) * 4;
      y.push(rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
      p.push(1 / (1 + Math.exp(-z / k)));
    }
    return { p, y };
  }

  it("recovers the slope of calibrated, under- and over-confident forecasts", () => {
    for (const k of [1, 1.5, 0.5]) {
      const { p, y } = simulate(40_000, k, 7);
      const r = slopeWithError(p, y);
      expect(Math.abs(r.slope - k)).toBeLessThan(4 * r.se);
      expect(r.se).toBeLessThan(0.05);
    }
  });

  it("its standard error matches the spread of slopes over repeated samples", () => {
    const slopes: number[] = [];
    const ses: number[] = [];
    for (let s = 1; s <= 200; s++) {
      const { p, y } = simulate(300, 1, s);
      const r = slopeWithError(p, y);
      slopes.push(r.slope);
      ses.push(r.se);
    }
    const mean = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    const sd = Math.sqrt(slopes.reduce((a, b) => a + (b - mean) ** 2, 0) / (slopes.length - 1));
    const meanSe = ses.reduce((a, b) => a + b, 0) / ses.length;
    expect(meanSe / sd).toBeGreaterThan(0.8);
    expect(meanSe / sd).toBeLessThan(1.25);
  });

  it("is NaN for no rows", () => {
    expect(slopeWithError([], []).slope).toBeNaN();
  });
});
