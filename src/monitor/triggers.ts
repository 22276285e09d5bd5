/** Thresholds of `monitoring.retrain_triggers` in the config. */
export interface RetrainTriggerConfig {
  /** The rolling Brier fires at this many percent worse than the baseline, or more. */
  readonly brierDeteriorationPct: number;
  /** PSI fires when at least this many features have PSI >= psiThreshold. */
  readonly psiFeatureCount: number;
  readonly psiThreshold: number;
  /** Weekly Brier scores averaged into the rolling Brier. */
  readonly rollingWeeks: number;
}

export interface PsiSummaryEntry {
  readonly feature: string;
  readonly psi: number;
}

export interface RetrainTriggerInput {
  /** Weekly Brier scores of the weeks played, oldest first; the last `rollingWeeks` are used. */
  readonly recentBrierScores: readonly number[];
  /**
   * Games behind each weekly score (same order). When given, the rolling Brier weights weeks by games,
   * which equals the Brier of all the window's games; without it, the weeks' plain mean.
   */
  readonly recentGameCounts?: readonly number[];
  /** The Brier the rolling Brier is compared with; null when there is none. */
  readonly baselineBrier: number | null;
  readonly psiSummary: readonly PsiSummaryEntry[];
  readonly previousRuleFlags: Readonly<Record<string, boolean>>;
  readonly currentRuleFlags: Readonly<Record<string, boolean>>;
  readonly config: RetrainTriggerConfig;
}

export type CheckStatus = "fired" | "ok" | "insufficient";

export interface BrierCheck {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly rollingBrier: number | null;
  readonly baselineBrier: number | null;
  /** (rolling - baseline) / baseline in percent. */
  readonly deteriorationPct: number | null;
  readonly weeksUsed: number;
}

export interface PsiCheck {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly breached: readonly string[];
}

export interface RuleFlagCheck {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly flipped: readonly {
    readonly flag: string;
    readonly previous: boolean;
    readonly current: boolean;
  }[];
}

export interface RetrainDecision {
  readonly triggered: boolean;
  /** One sentence per check that fired. */
  readonly reasons: readonly string[];
  readonly checks: { readonly brier: BrierCheck; readonly psi: PsiCheck; readonly ruleFlags: RuleFlagCheck };
}

/** Relative slack so that "exactly 10% worse" fires despite binary floating point (0.2 * 1.1 > 0.22). */
const REL_EPS = 1e-9;

const fmt = (v: number, digits = 4) => v.toFixed(digits);

function checkBrier(input: RetrainTriggerInput): BrierCheck {
  const { rollingWeeks, brierDeteriorationPct } = input.config;
  const scores = input.recentBrierScores;
  const baseline = input.baselineBrier;
  const base = { baselineBrier: baseline, weeksUsed: Math.min(scores.length, rollingWeeks) };
  if (scores.length < rollingWeeks) {
    return {
      ...base,
      status: "insufficient",
      detail: `not enough weeks for the ${rollingWeeks}-week rolling Brier: ${scores.length} weekly score${scores.length === 1 ? "" : "s"} so far`,
      rollingBrier: null,
      deteriorationPct: null,
    };
  }
  const recent = scores.slice(-rollingWeeks);
  const counts = input.recentGameCounts?.slice(-rollingWeeks);
  let rolling: number;
  if (counts && counts.length === recent.length) {
    const total = counts.reduce((s, n) => s + n, 0);
    rolling = recent.reduce((s, b, i) => s + b * counts[i]!, 0) / total;
  } else {
    rolling = recent.reduce((s, b) => s + b, 0) / recent.length;
  }
  if (!Number.isFinite(rolling)) {
    return {
      ...base,
      status: "insufficient",
      detail: "the rolling Brier is not a number (a week without games?)",
      rollingBrier: null,
      deteriorationPct: null,
    };
  }
  if (baseline === null || !Number.isFinite(baseline) || baseline <= 0) {
    return {
      ...base,
      status: "insufficient",
      detail: `no baseline Brier to compare the ${rollingWeeks}-week rolling Brier ${fmt(rolling)} with`,
      rollingBrier: rolling,
      deteriorationPct: null,
    };
  }
  const pct = ((rolling - baseline) / baseline) * 100;
  const limit = baseline * (1 + brierDeteriorationPct / 100);
  const fired = rolling >= limit * (1 - REL_EPS);
  const sign = pct >= 0 ? "+" : "";
  return {
    ...base,
    status: fired ? "fired" : "ok",
    detail: `${rollingWeeks}-week rolling Brier ${fmt(rolling)} is ${sign}${pct.toFixed(1)}% against the baseline ${fmt(baseline)} (fires at +${brierDeteriorationPct}%)`,
    rollingBrier: rolling,
    deteriorationPct: pct,
  };
}

function checkPsi(input: RetrainTriggerInput): PsiCheck {
  const { psiThreshold, psiFeatureCount } = input.config;
  const breached = input.psiSummary
    .filter((p) => Number.isFinite(p.psi) && p.psi >= psiThreshold)
    .sort((a, b) => b.psi - a.psi)
    .map((p) => p.feature);
  if (input.psiSummary.length === 0) {
    return { status: "insufficient", detail: "no PSI values (no monitored feature rows)", breached };
  }
  const fired = breached.length >= psiFeatureCount;
  const top = breached.slice(0, 5).join(", ");
  return {
    status: fired ? "fired" : "ok",
    detail: `${breached.length} of ${input.psiSummary.length} features have PSI >= ${psiThreshold} (fires at ${psiFeatureCount})${top ? `: ${top}${breached.length > 5 ? ", …" : ""}` : ""}`,
    breached,
  };
}

function checkRuleFlags(input: RetrainTriggerInput): RuleFlagCheck {
  const names = [
    ...new Set([...Object.keys(input.previousRuleFlags), ...Object.keys(input.currentRuleFlags)]),
  ].sort();
  const flipped = names
    .map((flag) => ({
      flag,
      previous: input.previousRuleFlags[flag] === true,
      current: input.currentRuleFlags[flag] === true,
    }))
    .filter((f) => f.previous !== f.current);
  return {
    status: flipped.length > 0 ? "fired" : "ok",
    detail:
      flipped.length > 0
        ? `rule flag${flipped.length === 1 ? "" : "s"} flipped: ${flipped.map((f) => `${f.flag} ${f.previous} -> ${f.current}`).join(", ")}`
        : `no rule flag flipped (${names.length} flags)`,
    flipped,
  };
}

/**
 * Decides whether to retrain: any of the rolling Brier at least `brierDeteriorationPct` % worse than the
 * baseline, at least `psiFeatureCount` features with PSI >= `psiThreshold`, or a rule flag that differs
 * between the previous and the current season. Pure: every input is an argument.
 * @example
 * evaluateRetrainTriggers({ recentBrierScores: [0.2, 0.21, 0.22, 0.25], baselineBrier: 0.2, psiSummary: [],
 *   previousRuleFlags: { kickoff_touchback: true }, currentRuleFlags: { kickoff_touchback: false },
 *   config: { brierDeteriorationPct: 10, psiFeatureCount: 5, psiThreshold: 0.2, rollingWeeks: 4 } })
 * // { triggered: true, reasons: ["4-week rolling Brier 0.2200 is +10.0% …", "rule flag flipped: kickoff_touchback true -> false"], … }
 */
export function evaluateRetrainTriggers(input: RetrainTriggerInput): RetrainDecision {
  const checks = { brier: checkBrier(input), psi: checkPsi(input), ruleFlags: checkRuleFlags(input) };
  const reasons = Object.values(checks)
    .filter((c) => c.status === "fired")
    .map((c) => c.detail);
  return { triggered: reasons.length > 0, reasons, checks };
}
