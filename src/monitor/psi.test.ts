import { describe, expect, it } from "vitest";
import { computePsi } from "./index.ts";

/** mulberry32 with Box-Muller normals. */
function normals(seed: number, n: number, shift: number): Float64Array {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Float64Array.from(
    { length: n },
    () => shift + Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Population PSI of N(shift, 1) against N(0, 1) on the reference deciles. */
function analyticPsi(shift: number): number {
  const deciles = [
    -1.2815516, -0.8416212, -0.5244005, -0.2533471, 0, 0.2533471, 0.5244005, 0.8416212, 1.2815516,
  ];
  const edges = [Number.NEGATIVE_INFINITY, ...deciles, Number.POSITIVE_INFINITY];
  let psi = 0;
  for (let k = 0; k < 10; k++) {
    const cur = normalCdf(edges[k + 1]! - shift) - normalCdf(edges[k]! - shift);
    psi += (cur - 0.1) * Math.log(cur / 0.1);
  }
  return psi;
}

describe("computePsi", () => {
  it("matches the population value for N(0,1) against N(0.6,1) on 200k seeded draws each", () => {
    // The decile-binned PSI of a 0.6 shift is 0.3411. Binning can only lower a divergence, and the
    // unbinned symmetric KL of two unit normals 0.6 apart is 0.6^2 = 0.36, so the 0.376 quoted in the
    // brief is out of reach of any binning; it cannot be the reference value.
    const expected = analyticPsi(0.6);
    expect(expected).toBeCloseTo(0.3411, 4);
    expect(expected).toBeLessThan(0.36);
    const { psi, bins } = computePsi(normals(1, 200_000, 0), normals(2, 200_000, 0.6));
    expect(Math.abs(psi - expected)).toBeLessThan(0.01);
    expect(bins.length).toBe(11);
    expect(bins[0]!.lower).toBe(Number.NEGATIVE_INFINITY);
    expect(bins[9]!.upper).toBe(Number.POSITIVE_INFINITY);
    expect(bins[10]!.label).toBe("null");
    for (const b of bins.slice(0, 10)) expect(b.refProp).toBeCloseTo(0.1, 3);
    expect(psi).toBeCloseTo(
      bins.reduce((s, b) => s + b.contribution, 0),
      12,
    );
  });

  it("is about zero for two samples of the same distribution", () => {
    expect(computePsi(normals(3, 100_000, 0), normals(4, 100_000, 0)).psi).toBeLessThan(0.002);
  });

  it("deduplicates tied edges and keeps nulls in their own bin", () => {
    const reference = [0, 0, 0, 0, 0, 0, 1, 2, 3, null];
    const current = [0, 0, 5, 5, Number.NaN, Number.NaN, null, 1, 2, 3];
    const { psi, bins } = computePsi(reference, current, { bins: 4 });
    // Quartiles of the 9 present values are 0, 0 and 1: edges dedupe to (-Inf,0], (0,1], (1,+Inf).
    expect(bins.map((b) => b.label)).toEqual(["(-Inf, 0]", "(0, 1]", "(1, +Inf)", "null"]);
    expect(bins.map((b) => b.refCount)).toEqual([6, 1, 2, 1]);
    expect(bins.map((b) => b.curCount)).toEqual([2, 1, 4, 3]);
    const expected = bins.reduce((s, b) => s + (b.curProp - b.refProp) * Math.log(b.curProp / b.refProp), 0);
    expect(psi).toBeCloseTo(expected, 14);
    expect(bins[3]!.curProp).toBeCloseTo(0.3, 14);
  });

  it("floors empty proportions so the index stays finite", () => {
    const { psi, bins } = computePsi([1, 2, 3, 4], [10, 11, 12, 13], { bins: 2, floor: 0.001 });
    expect(Number.isFinite(psi)).toBe(true);
    expect(bins[0]!.curProp).toBe(0.001);
    expect(bins[2]!.refProp).toBe(0.001);
  });
});
