/** The runbook's criteria: Brier no worse than production's, reliability slope within ±0.05 of 1. */
export const SLOPE_TOLERANCE = 0.05;

export interface EvalGame {
  readonly gameId: string;
  readonly season: number;
  readonly week: number;
  readonly kickoff: number;
}

export interface TrainingWindowLike {
  readonly seasons: readonly number[];
  readonly lastKickoff: string;
}

export interface EvaluationSet {
  readonly games: readonly EvalGame[];
  /** True when every game kicked off after both models' training windows. */
  readonly outOfSample: boolean;
  readonly weeks: readonly string[];
}

/**
 * Which completed games both models are scored on: the latest `weeks` weeks played after both training
 * windows when there are any (out of sample for both); otherwise the latest `weeks` weeks overall, which
 * at least one model has seen in training (flagged, so the comparison is read with that in mind).
 * `games` must be completed games that have features for both models. Pure.
 */
export function selectEvaluationGames(
  games: readonly EvalGame[],
  windows: readonly TrainingWindowLike[],
  weeks: number,
): EvaluationSet {
  const cutoff = Math.max(...windows.map((w) => Date.parse(w.lastKickoff)), Number.NEGATIVE_INFINITY);
  const after = games.filter((g) => g.kickoff > cutoff);
  const pool = after.length > 0 ? after : games;
  const weekKey = (g: EvalGame) => `${g.season}-${String(g.week).padStart(2, "0")}`;
  const latestWeeks = [...new Set(pool.map(weekKey))].sort().slice(-weeks);
  const keep = new Set(latestWeeks);
  return {
    games: pool.filter((g) => keep.has(weekKey(g))).sort((a, b) => a.kickoff - b.kickoff),
    outOfSample: after.length > 0,
    weeks: latestWeeks,
  };
}

/** A training window in words: "seasons 2020–2024, through 2025-02-09". */
export function describeTrainingWindow(window: TrainingWindowLike): string {
  return `seasons ${window.seasons[0]}–${window.seasons.at(-1)}, through ${window.lastKickoff.slice(0, 10)}`;
}

/** How many of `games` fall inside a model's training window (its seasons, up to its last kickoff). */
export function countInSample(games: readonly EvalGame[], window: TrainingWindowLike): number {
  const last = Date.parse(window.lastKickoff);
  const seasons = new Set(window.seasons);
  return games.filter((g) => seasons.has(g.season) && g.kickoff <= last).length;
}

/** A model's games inside its training window: `inSample` of its `total` games scored. */
export interface InSampleCount {
  readonly modelId: string;
  readonly window: TrainingWindowLike;
  readonly inSample: number;
  readonly total: number;
}

/**
 * `countInSample` for each model among predicted games, in order of first appearance. A model whose
 * window is unknown (`windowOf` gives undefined: its artifact is gone or unreadable) or that has no game
 * in its window is left out.
 */
export function inSampleByModel(
  games: readonly (EvalGame & { readonly modelId: string })[],
  windowOf: (modelId: string) => TrainingWindowLike | undefined,
): InSampleCount[] {
  const out: InSampleCount[] = [];
  for (const modelId of new Set(games.map((g) => g.modelId))) {
    const window = windowOf(modelId);
    if (!window) continue;
    const mine = games.filter((g) => g.modelId === modelId);
    const inSample = countInSample(mine, window);
    if (inSample > 0) out.push({ modelId, window, inSample, total: mine.length });
  }
  return out;
}

export interface ModelScore {
  readonly modelId: string;
  readonly n: number;
  readonly brier: number;
  readonly slope: number;
  readonly slopeSe: number;
  readonly meanPHome: number;
  readonly inSample: number;
}

export interface PromotionCheck {
  readonly name: string;
  readonly ok: boolean;
  /** `--force` may override a failed check; a model that cannot be scored can never be promoted. */
  readonly forceable: boolean;
  readonly detail: string;
  /**
   * A failure the games cannot settle: the estimate is within two standard errors of passing, so more
   * games, not a better model, may be what is missing.
   */
  readonly inconclusive?: true;
}

export type Scored = ModelScore | { readonly modelId: string; readonly error: string };

export function isScore(s: Scored): s is ModelScore {
  return !("error" in s);
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "n/a");

/**
 * The promotion checks, in the order printed. `production` is null when nothing is promoted yet. Pure.
 * @example judgePromotion({ candidate, production: null, evaluation }) // [{ name: "scores on current features", ok: true, … }, …]
 */
export function judgePromotion(input: {
  candidate: Scored;
  production: Scored | null;
  evaluation: EvaluationSet;
}): PromotionCheck[] {
  const { candidate, production, evaluation } = input;
  const checks: PromotionCheck[] = [];
  if (!isScore(candidate)) {
    checks.push({
      name: "scores on current features",
      ok: false,
      forceable: false,
      detail: `candidate ${candidate.modelId} cannot be scored: ${candidate.error}`,
    });
    return checks;
  }
  checks.push({
    name: "scores on current features",
    ok: true,
    forceable: false,
    detail: `candidate scored ${candidate.n} games`,
  });
  const n = evaluation.games.length;
  const span = evaluation.weeks.length > 0 ? `${evaluation.weeks[0]} … ${evaluation.weeks.at(-1)}` : "none";
  checks.push({
    name: "evaluation games",
    ok: n > 0,
    forceable: true,
    detail:
      n === 0
        ? "no completed games with T-60m features for both models"
        : `${n} completed games, weeks ${span}, ${evaluation.outOfSample ? "after both training windows (out of sample)" : `inside a training window (candidate saw ${candidate.inSample}, production ${production && isScore(production) ? production.inSample : 0} of them in training)`}`,
  });
  if (production === null) {
    checks.push({
      name: "Brier ≤ production",
      ok: n > 0,
      forceable: true,
      detail: `no production model yet (first promotion); candidate Brier ${f4(candidate.brier)}`,
    });
  } else if (!isScore(production)) {
    // A production model that cannot score today's rows is already broken (snapshot cannot use it):
    // there is nothing to compare with, and replacing it is the fix.
    checks.push({
      name: "Brier ≤ production",
      ok: n > 0,
      forceable: true,
      detail: `production model ${production.modelId} cannot be scored (${production.error}); nothing to compare, candidate Brier ${f4(candidate.brier)}`,
    });
  } else {
    checks.push({
      name: "Brier ≤ production",
      ok: n > 0 && candidate.brier <= production.brier,
      forceable: true,
      detail: `candidate ${f4(candidate.brier)} vs production ${f4(production.brier)} (${production.modelId}) on the same ${n} games`,
    });
  }
  const off = Math.abs(candidate.slope - 1);
  // 1.05 - 1 is 0.050000000000000044 in binary: the band is closed, so allow rounding error.
  const slopeOk = Number.isFinite(candidate.slope) && off <= SLOPE_TOLERANCE + 1e-12;
  // On a season's games the slope's standard error is several times the band: a miss inside two of them
  // says the games are too few to tell, not that the model is miscalibrated.
  const unsettled =
    !slopeOk && Number.isFinite(candidate.slopeSe) && off - SLOPE_TOLERANCE <= 2 * candidate.slopeSe;
  checks.push({
    name: `reliability slope within ±${SLOPE_TOLERANCE}`,
    ok: slopeOk,
    forceable: true,
    detail:
      `slope ${f4(candidate.slope)} (s.e. ${f4(candidate.slopeSe)}, n=${candidate.n}); allowed ${1 - SLOPE_TOLERANCE}–${1 + SLOPE_TOLERANCE}` +
      (unsettled ? "; within 2 s.e. of the band, so these games cannot tell" : ""),
    ...(unsettled ? { inconclusive: true as const } : {}),
  });
  return checks;
}

/** Whether the checks allow the change: all pass, or only forceable ones fail and `force` is set. */
export function promotionAllowed(checks: readonly PromotionCheck[], force: boolean): boolean {
  return checks.every((c) => c.ok || (force && c.forceable));
}
