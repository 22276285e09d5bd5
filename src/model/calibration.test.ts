import { describe, expect, it } from "vitest";
import {
  chooseCalibrator,
  createRng,
  fitIsotonic,
  fitLogistic1D,
  fitPlatt,
  logit,
  sigmoid,
} from "./index.ts";

describe("fitLogistic1D / Platt", () => {
  const rng = createRng(17);
  const n = 20_000;
  const p = Float64Array.from({ length: n }, () => 0.02 + 0.96 * rng());
  // True calibration map: sigmoid(0.3 + 0.6 * logit(p)).
  const y = Float64Array.from(p, (q) => (rng() < sigmoid(0.3 + 0.6 * logit(q)) ? 1 : 0));

  it("solves the score equations exactly", () => {
    const x = Float64Array.from(p, (q) => logit(q));
    const { a, b, converged } = fitLogistic1D(x, y);
    expect(converged).toBe(true);
    let ga = 0;
    let gb = 0;
    x.forEach((xi, i) => {
      const r = sigmoid(a + b * xi) - y[i]!;
      ga += r;
      gb += r * xi;
    });
    expect(Math.abs(ga)).toBeLessThan(1e-7);
    expect(Math.abs(gb)).toBeLessThan(1e-7);
  });

  it("recovers the generating calibration map", () => {
    const c = fitPlatt(p, y);
    expect(c.kind).toBe("platt");
    const { a, b } = c.params as { a: number; b: number };
    expect(a).toBeCloseTo(0.3, 1);
    expect(b).toBeCloseTo(0.6, 1);
  });

  it("fits an intercept only when every input is the same", () => {
    const { a, b } = fitLogistic1D([0.2, 0.2, 0.2, 0.2], [1, 0, 1, 1]);
    expect(b).toBe(0);
    expect(sigmoid(a)).toBeCloseTo(0.75, 12);
  });
});

describe("isotonic", () => {
  it("pools adjacent violators and interpolates between block means", () => {
    const c = fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    expect(c.params).toEqual({ x: [0.1, 0.25, 0.4], y: [0, 0.5, 1] });
    const [lo, mid, inner, hi] = c.apply([0.05, 0.25, 0.2, 0.9]);
    expect(lo).toBe(1e-4);
    expect(mid).toBe(0.5);
    expect(inner).toBeCloseTo(0.5 * (0.1 / 0.15), 12);
    expect(hi).toBe(1 - 1e-4);
  });

  it("gives equal raw probabilities one level, with weights", () => {
    expect(fitIsotonic([0.3, 0.6, 0.3, 0.6], [1, 1, 0, 1], [1, 1, 3, 1]).params).toEqual({
      x: [0.3, 0.6],
      y: [0.25, 1],
    });
    const pooled = fitIsotonic([0.3, 0.3, 0.6, 0.6], [1, 0, 0, 1], [3, 1, 1, 1]).params as {
      x: number[];
      y: number[];
    };
    expect(pooled.x.length).toBe(1);
    expect(pooled.x[0]).toBeCloseTo(0.4, 12);
    expect(pooled.y[0]).toBeCloseTo(2 / 3, 12);
  });

  it("matches the max-min formula for the isotonic fit on random data", () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 30; trial++) {
      const n = 3 + Math.floor(rng() * 12);
      const p = Array.from({ length: n }, (_, i) => (i + 1) / (n + 1));
      const y = p.map((): number => (rng() < 0.3 ? 0.5 : rng() < 0.5 ? 1 : 0));
      // fit_i = max over j <= i of min over k >= i of mean(y_j..y_k)
      const mean = (j: number, k: number) => y.slice(j, k + 1).reduce((s, v) => s + v, 0) / (k - j + 1);
      const fit = p.map((_, i) => {
        let best = Number.NEGATIVE_INFINITY;
        for (let j = 0; j <= i; j++) {
          let low = Number.POSITIVE_INFINITY;
          for (let k = i; k < n; k++) low = Math.min(low, mean(j, k));
          best = Math.max(best, low);
        }
        return best;
      });
      const knots: { x: number[]; y: number[] } = { x: [], y: [] };
      for (let i = 0; i < n; ) {
        let k = i;
        while (k + 1 < n && Math.abs(fit[k + 1]! - fit[i]!) < 1e-12) k++;
        knots.x.push(p.slice(i, k + 1).reduce((s, v) => s + v, 0) / (k - i + 1));
        knots.y.push(fit[i]!);
        i = k + 1;
      }
      const params = fitIsotonic(p, y).params as { x: number[]; y: number[] };
      expect(params.y.length).toBe(knots.y.length);
      params.y.forEach((v, k) => {
        expect(v).toBeCloseTo(knots.y[k]!, 12);
      });
      params.x.forEach((v, k) => {
        expect(v).toBeCloseTo(knots.x[k]!, 12);
      });
    }
  });
});

describe("chooseCalibrator", () => {
  it("keeps 'none' for calibrated forecasts and fixes overconfident ones", () => {
    const rng = createRng(8);
    const n = 4000;
    const p = Float64Array.from({ length: n }, () => 0.05 + 0.9 * rng());
    const y = Float64Array.from(p, (q) => (rng() < q ? 1 : 0));
    const calibrated = chooseCalibrator(p, y);
    expect(calibrated.losses.none).toBeLessThanOrEqual(calibrated.losses.isotonic);
    const stretched = p.map((q) => sigmoid(2.5 * logit(q)));
    const fixed = chooseCalibrator(stretched, y);
    expect(fixed.calibrator.kind).toBe("platt");
    expect(fixed.losses.platt).toBeLessThan(fixed.losses.none - 0.02);
  });
});
