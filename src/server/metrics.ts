import { SEASON_PHASES, type SeasonPhase } from "../domain/index.ts";
import { accuracy, brierScore, logLoss, reliabilityBins, slopeWithError } from "../report/index.ts";

/** One scored game: the label and each source's home-win probability (null where a source has none). */
export interface ScoredGame {
  readonly season: number;
  readonly week: number;
  /** Where in the season the game falls, when the caller knows its game type. */
  readonly phase?: SeasonPhase;
  readonly y: number;
  readonly model: number;
  readonly elo: number | null;
  readonly market: number | null;
}

export interface Score {
  readonly n: number;
  readonly brier: number;
  readonly log_loss: number;
  readonly accuracy: number;
}

export type Source = "model" | "elo" | "market";
export const SOURCES: readonly Source[] = ["model", "elo", "market"];

export type Scores = Readonly<Record<Source, Score | null>>;

export interface WeekCurvePoint {
  readonly week: number;
  readonly n: number;
  readonly season_to_date: Scores;
  readonly rolling: Scores;
}

export interface BinView {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly mean_predicted: number | null;
  readonly observed_rate: number | null;
}

/** Brier, log loss and accuracy of one source over the games where it has a probability. */
export function scoreOf(games: readonly ScoredGame[], source: Source): Score | null {
  const p: number[] = [];
  const y: number[] = [];
  for (const g of games) {
    const v = g[source];
    if (v === null || !Number.isFinite(v)) continue;
    p.push(v);
    y.push(g.y);
  }
  if (p.length === 0) return null;
  return { n: p.length, brier: brierScore(p, y), log_loss: logLoss(p, y), accuracy: accuracy(p, y) };
}

/** Model, Elo and market scores of the same games. */
export function scoresOf(games: readonly ScoredGame[]): Scores {
  return { model: scoreOf(games, "model"), elo: scoreOf(games, "elo"), market: scoreOf(games, "market") };
}

/**
 * Season-to-date (weeks 1..w) and rolling (the last `rollingWeeks` weeks up to w) scores after each week
 * that has games.
 * @example weeklyCurves(games, 4)[2] // { week: 3, n: 16, season_to_date: {...}, rolling: {...} }
 */
export function weeklyCurves(games: readonly ScoredGame[], rollingWeeks: number): WeekCurvePoint[] {
  const weeks = [...new Set(games.map((g) => g.week))].sort((a, b) => a - b);
  return weeks.map((w) => ({
    week: w,
    n: games.filter((g) => g.week === w).length,
    season_to_date: scoresOf(games.filter((g) => g.week <= w)),
    rolling: scoresOf(games.filter((g) => g.week <= w && g.week > w - rollingWeeks)),
  }));
}

/** Scores per season, oldest first. */
export function bySeason(games: readonly ScoredGame[]): ({ season: number } & Scores)[] {
  const seasons = [...new Set(games.map((g) => g.season))].sort((a, b) => a - b);
  return seasons.map((s) => ({ season: s, ...scoresOf(games.filter((g) => g.season === s)) }));
}

export type PhaseView = { readonly phase: SeasonPhase } & Scores & {
    /** Calibration slope of each source (below 1: too confident) and its standard error; null without games. */
    readonly slope: Readonly<Record<Source, { readonly value: number; readonly se: number | null } | null>>;
  };

/** Scores and calibration slopes per phase of the season, in season order; games without a phase are left out. */
export function byPhase(games: readonly ScoredGame[]): PhaseView[] {
  return SEASON_PHASES.flatMap((phase) => {
    const rs = games.filter((g) => g.phase === phase);
    if (rs.length === 0) return [];
    const slope = (source: Source) => {
      const scored = rs.filter((g) => g[source] !== null && Number.isFinite(g[source]));
      if (scored.length === 0) return null;
      const { slope: value, se } = slopeWithError(
        scored.map((g) => g[source]!),
        scored.map((g) => g.y),
      );
      return Number.isFinite(value) ? { value, se: Number.isFinite(se) ? se : null } : null;
    };
    return [
      {
        phase,
        ...scoresOf(rs),
        slope: { model: slope("model"), elo: slope("elo"), market: slope("market") },
      },
    ];
  });
}

/** Ten equal-width reliability bins of the model's probabilities (empty bins carry nulls, not NaN). */
export function reliabilityOf(games: readonly ScoredGame[], bins = 10): BinView[] {
  return reliabilityBins(
    games.map((g) => g.model),
    games.map((g) => g.y),
    bins,
  ).map((b) => ({
    lower: b.lower,
    upper: b.upper,
    count: b.count,
    mean_predicted: b.count === 0 ? null : b.meanPredicted,
    observed_rate: b.count === 0 ? null : b.observedRate,
  }));
}
