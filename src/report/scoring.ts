import { NflPredError } from "../domain/index.ts";
import {
  accuracy,
  brierScore,
  expectedCalibrationError,
  logLoss,
  type ReliabilityBin,
  reliabilityBins,
} from "./metrics.ts";

/** A completed game's pre-game probability for the home team and its result (1, 0, or 0.5 for a tie). */
export interface GameOutcome {
  readonly season: number;
  readonly week: number;
  readonly gameId: string;
  readonly pHome: number;
  readonly label: number;
}

/**
 * `all` games; `favourite`: games whose home team is the model's favourite (p_home >= 0.5); `underdog`:
 * games whose home team is the underdog. Each game is scored from the home side, which is the favourite's
 * side in `favourite` and the underdog's in `underdog`. (Scoring every game once from each side instead
 * would give both segments the same Brier, log loss and accuracy: the split by game is what tells them apart.)
 */
export type Segment = "all" | "favourite" | "underdog";
export const SEGMENTS: readonly Segment[] = ["all", "favourite", "underdog"];

export interface MetricSummary {
  readonly brierScore: number;
  readonly logLoss: number;
  readonly accuracy: number;
  readonly ece: number;
  readonly n: number;
}

export interface WindowMetrics extends MetricSummary {
  /** `week`, `season_to_date` or `rolling_<k>`. */
  readonly metricWindow: string;
  readonly segment: Segment;
  /** The weeks played that the window covers, ascending. */
  readonly weeks: readonly number[];
}

export interface WindowOptions {
  /** Weeks played in the rolling window (config `monitoring.retrain_triggers.rolling_weeks`). */
  readonly rollingWeeks?: number;
  readonly bins?: number;
}

/** Brier, log loss, accuracy and ECE of a sample; NaN metrics for an empty one. */
export function summarizeMetrics(p: readonly number[], y: readonly number[], bins = 10): MetricSummary {
  if (p.length === 0) return { brierScore: NaN, logLoss: NaN, accuracy: NaN, ece: NaN, n: 0 };
  return {
    brierScore: brierScore(p, y),
    logLoss: logLoss(p, y),
    accuracy: accuracy(p, y),
    ece: expectedCalibrationError(p, y, bins),
    n: p.length,
  };
}

export function isInSegment(g: GameOutcome, segment: Segment): boolean {
  if (segment === "all") return true;
  return segment === "favourite" ? g.pHome >= 0.5 : g.pHome < 0.5;
}

/** Weeks of `season` up to `uptoWeek` with at least one completed, predicted game, ascending. */
export function findWeeksPlayed(games: readonly GameOutcome[], season: number, uptoWeek: number): number[] {
  const weeks = new Set<number>();
  for (const g of games) if (g.season === season && g.week <= uptoWeek) weeks.add(g.week);
  return [...weeks].sort((a, b) => a - b);
}

function rollingName(k: number): string {
  return `rolling_${k}`;
}

/** The games and weeks of each window ending at `week`: the week itself, season to date, last k weeks played. */
export function selectWindows(
  games: readonly GameOutcome[],
  season: number,
  week: number,
  rollingWeeks = 4,
): { metricWindow: string; weeks: number[]; games: GameOutcome[] }[] {
  if (!Number.isInteger(rollingWeeks) || rollingWeeks < 1) {
    throw new NflPredError(
      "USAGE",
      `rolling window must be a positive whole number of weeks: ${rollingWeeks}`,
    );
  }
  const played = findWeeksPlayed(games, season, week);
  const pick = (weeks: readonly number[]) => {
    const set = new Set(weeks);
    return games.filter((g) => g.season === season && set.has(g.week));
  };
  const thisWeek = played.includes(week) ? [week] : [];
  const rolling = played.slice(-rollingWeeks);
  return [
    { metricWindow: "season_to_date", weeks: played, games: pick(played) },
    { metricWindow: rollingName(rollingWeeks), weeks: rolling, games: pick(rolling) },
    { metricWindow: "week", weeks: thisWeek, games: pick(thisWeek) },
  ];
}

/**
 * Metrics of every window × segment at `week` of `season` (season to date first, so the first row of a
 * report file is the season-to-date figure of all games).
 * @example buildReportMetrics(outcomes, 2024, 6)[0] // { metricWindow: "season_to_date", segment: "all", brierScore, … }
 */
export function buildReportMetrics(
  games: readonly GameOutcome[],
  season: number,
  week: number,
  opts: WindowOptions = {},
): WindowMetrics[] {
  const out: WindowMetrics[] = [];
  for (const w of selectWindows(games, season, week, opts.rollingWeeks ?? 4)) {
    for (const segment of SEGMENTS) {
      const sample = w.games.filter((g) => isInSegment(g, segment));
      out.push({
        metricWindow: w.metricWindow,
        segment,
        weeks: w.weeks,
        ...summarizeMetrics(
          sample.map((g) => g.pHome),
          sample.map((g) => g.label),
          opts.bins ?? 10,
        ),
      });
    }
  }
  return out;
}

export interface ReliabilityRow extends ReliabilityBin {
  readonly metricWindow: string;
  readonly segment: Segment;
}

/** Reliability bins (equal width on the home probability) of every window × segment at `week`. */
export function buildReliabilityTable(
  games: readonly GameOutcome[],
  season: number,
  week: number,
  opts: WindowOptions = {},
): ReliabilityRow[] {
  const out: ReliabilityRow[] = [];
  for (const w of selectWindows(games, season, week, opts.rollingWeeks ?? 4)) {
    for (const segment of SEGMENTS) {
      const sample = w.games.filter((g) => isInSegment(g, segment));
      const bins = reliabilityBins(
        sample.map((g) => g.pHome),
        sample.map((g) => g.label),
        opts.bins ?? 10,
      );
      for (const b of bins) out.push({ metricWindow: w.metricWindow, segment, ...b });
    }
  }
  return out;
}

/** One week played: its own metrics and the rolling and season-to-date metrics as of that week. */
export interface WeeklyPoint {
  readonly week: number;
  readonly weekly: MetricSummary;
  /** Over the last k weeks played (fewer early in the season: see `rollingComplete`). */
  readonly rolling: MetricSummary;
  /** True once k weeks have been played. */
  readonly rollingComplete: boolean;
  readonly seasonToDate: MetricSummary;
}

/**
 * Per week played up to `week`: the week's metrics, the rolling-k and season-to-date metrics as of then
 * (all games). The history the rolling-metric chart and the retrain trigger read.
 */
export function buildWeeklySeries(
  games: readonly GameOutcome[],
  season: number,
  week: number,
  rollingWeeks = 4,
): WeeklyPoint[] {
  const played = findWeeksPlayed(games, season, week);
  const summarize = (weeks: readonly number[]) => {
    const set = new Set(weeks);
    const sample = games.filter((g) => g.season === season && set.has(g.week));
    return summarizeMetrics(
      sample.map((g) => g.pHome),
      sample.map((g) => g.label),
    );
  };
  return played.map((w, i) => ({
    week: w,
    weekly: summarize([w]),
    rolling: summarize(played.slice(Math.max(0, i + 1 - rollingWeeks), i + 1)),
    rollingComplete: i + 1 >= rollingWeeks,
    seasonToDate: summarize(played.slice(0, i + 1)),
  }));
}

export interface Baseline {
  readonly brier: number;
  readonly n: number;
  /** Human-readable origin, e.g. "season 2024 weeks 1-3". */
  readonly source: string;
}

/**
 * The Brier baseline the rolling Brier is compared with: the season-to-date Brier of this season's first
 * `baselineWeeks` weeks (the runbook reads it from `metrics_s<S>_w3.csv`) once the season is past them;
 * before that, the previous season's season-to-date Brier (all its completed, predicted games); undefined
 * when neither has a completed game.
 */
export function findBaselineBrier(
  games: readonly GameOutcome[],
  season: number,
  week: number,
  baselineWeeks = 3,
): Baseline | undefined {
  const describe = (sample: readonly GameOutcome[], what: string): Baseline => ({
    brier: brierScore(
      sample.map((g) => g.pHome),
      sample.map((g) => g.label),
    ),
    n: sample.length,
    source: what,
  });
  if (week > baselineWeeks) {
    const early = games.filter((g) => g.season === season && g.week <= baselineWeeks);
    if (early.length > 0) return describe(early, `season ${season} weeks 1-${baselineWeeks}`);
  }
  const previous = games.filter((g) => g.season === season - 1);
  if (previous.length > 0) {
    const weeks = findWeeksPlayed(previous, season - 1, 99);
    return describe(previous, `season ${season - 1} season to date through week ${weeks.at(-1)}`);
  }
  return undefined;
}
