import { describe, expect, it } from "vitest";
import { evaluateRetrainTriggers, type RetrainTriggerInput } from "./index.ts";

const config = { brierDeteriorationPct: 10, psiFeatureCount: 5, psiThreshold: 0.2, rollingWeeks: 4 };
const quiet: RetrainTriggerInput = {
  recentBrierScores: [0.2, 0.2, 0.2, 0.2],
  baselineBrier: 0.2,
  psiSummary: [{ feature: "elo_pre", psi: 0.01 }],
  previousRuleFlags: { kickoff_2024plus: true },
  currentRuleFlags: { kickoff_2024plus: true },
  config,
};
const psi = (n: number, value = 0.2) => [
  ...Array.from({ length: n }, (_, i) => ({ feature: `f${i}`, psi: value })),
  { feature: "calm", psi: 0.05 },
];

describe("evaluateRetrainTriggers", () => {
  it("does not fire when every check is quiet", () => {
    const d = evaluateRetrainTriggers(quiet);
    expect(d.triggered).toBe(false);
    expect(d.reasons).toEqual([]);
    expect(d.checks.brier.status).toBe("ok");
  });

  it.each([
    [0.2, 0.22],
    [0.25, 0.275],
    [0.1, 0.11],
    [0.3, 0.33],
  ])("fires at exactly +10%% (baseline %d, rolling %d) and not just below", (baseline, rolling) => {
    const at = evaluateRetrainTriggers({
      ...quiet,
      baselineBrier: baseline,
      recentBrierScores: [rolling, rolling, rolling, rolling],
    });
    expect(at.triggered).toBe(true);
    expect(at.checks.brier.status).toBe("fired");
    expect(at.checks.brier.deteriorationPct).toBeCloseTo(10, 9);
    expect(at.reasons[0]).toMatch(/\+10\.0%/);
    const below = rolling - 1e-6;
    const d = evaluateRetrainTriggers({
      ...quiet,
      baselineBrier: baseline,
      recentBrierScores: [below, below, below, below],
    });
    expect(d.checks.brier.status).toBe("ok");
  });

  it("uses only the last rolling_weeks scores, weighted by games when counts are given", () => {
    // Old bad weeks fall out of the window.
    const d = evaluateRetrainTriggers({ ...quiet, recentBrierScores: [0.5, 0.5, 0.2, 0.2, 0.2, 0.2] });
    expect(d.checks.brier.rollingBrier).toBeCloseTo(0.2, 14);
    expect(d.checks.brier.status).toBe("ok");
    // Plain mean 0.2125 (+6.25%) vs game-weighted (0.26*16 + 0.2*16*... ) crossing +10%.
    const scores = [0.26, 0.2, 0.2, 0.19];
    expect(evaluateRetrainTriggers({ ...quiet, recentBrierScores: scores }).checks.brier.status).toBe("ok");
    const weighted = evaluateRetrainTriggers({
      ...quiet,
      recentBrierScores: scores,
      recentGameCounts: [40, 10, 10, 10],
    });
    expect(weighted.checks.brier.rollingBrier).toBeCloseTo((0.26 * 40 + 0.2 * 20 + 0.19 * 10) / 70, 14);
    expect(weighted.checks.brier.status).toBe("fired");
  });

  it("says there are not enough weeks with fewer than rolling_weeks scores, and does not fire", () => {
    const d = evaluateRetrainTriggers({ ...quiet, recentBrierScores: [0.4, 0.4, 0.4] });
    expect(d.triggered).toBe(false);
    expect(d.checks.brier.status).toBe("insufficient");
    expect(d.checks.brier.detail).toMatch(/not enough weeks/);
    expect(d.checks.brier.detail).toMatch(/3 weekly scores/);
  });

  it("says so when there is no baseline", () => {
    const d = evaluateRetrainTriggers({
      ...quiet,
      baselineBrier: null,
      recentBrierScores: [0.4, 0.4, 0.4, 0.4],
    });
    expect(d.checks.brier.status).toBe("insufficient");
    expect(d.checks.brier.detail).toMatch(/no baseline/);
  });

  it("PSI: 4 features at the threshold do not fire, 5 do; NaN PSI is ignored", () => {
    expect(evaluateRetrainTriggers({ ...quiet, psiSummary: psi(4) }).checks.psi.status).toBe("ok");
    const five = evaluateRetrainTriggers({ ...quiet, psiSummary: psi(5) });
    expect(five.triggered).toBe(true);
    expect(five.checks.psi.breached).toHaveLength(5);
    expect(five.reasons[0]).toMatch(/5 of 6 features have PSI >= 0.2/);
    const justBelow = evaluateRetrainTriggers({ ...quiet, psiSummary: psi(5, 0.1999999) });
    expect(justBelow.checks.psi.status).toBe("ok");
    const nan = evaluateRetrainTriggers({
      ...quiet,
      psiSummary: [...psi(4), { feature: "x", psi: Number.NaN }],
    });
    expect(nan.checks.psi.status).toBe("ok");
  });

  it("rule flags: a flip either way fires and names the flag; a flag new in one season counts as false there", () => {
    const d = evaluateRetrainTriggers({
      ...quiet,
      previousRuleFlags: { kickoff_touchback: true, kickoff_2024plus: false },
      currentRuleFlags: { kickoff_touchback: false, kickoff_2024plus: true },
    });
    expect(d.triggered).toBe(true);
    expect(d.checks.ruleFlags.flipped.map((f) => f.flag)).toEqual(["kickoff_2024plus", "kickoff_touchback"]);
    expect(d.reasons[0]).toMatch(/kickoff_touchback true -> false/);
    const added = evaluateRetrainTriggers({
      ...quiet,
      currentRuleFlags: { kickoff_2024plus: true, ot_regular_2025plus: true },
    });
    expect(added.checks.ruleFlags.flipped).toEqual([
      { flag: "ot_regular_2025plus", previous: false, current: true },
    ]);
  });

  it("lists every fired check in the reasons", () => {
    const d = evaluateRetrainTriggers({
      ...quiet,
      recentBrierScores: [0.3, 0.3, 0.3, 0.3],
      psiSummary: psi(6, 0.5),
      currentRuleFlags: { kickoff_2024plus: false },
    });
    expect(d.reasons).toHaveLength(3);
  });
});
