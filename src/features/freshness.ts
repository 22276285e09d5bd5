import { type AsOf, type Game, seasonArgs } from "../domain/index.ts";

/** How far back missing results are looked for: longer than an offseason, so week 1 sees last season's end. */
export const RESULTS_LOOKBACK_MS = 240 * 24 * 60 * 60 * 1000;

/**
 * The games whose results should be visible at `asOf` (kicked off at least `postGameDelayMs` before it,
 * and within `lookbackMs`) but have no score stored. Every feature built at `asOf` counts them as not
 * played, so ratings go stale without an error: a schedules ingest that has fallen behind is the usual
 * cause, a game never completed the other. Sorted by kickoff.
 */
export function unscoredBefore(
  games: readonly Game[],
  asOf: AsOf,
  opts: { readonly postGameDelayMs: number; readonly lookbackMs?: number },
): Game[] {
  const from = asOf - (opts.lookbackMs ?? RESULTS_LOOKBACK_MS);
  return games
    .filter(
      (g) =>
        g.kickoff > from &&
        g.kickoff + opts.postGameDelayMs <= asOf &&
        (g.homeScore === null || g.awayScore === null),
    )
    .sort((a, b) => a.kickoff - b.kickoff || a.gameId.localeCompare(b.gameId));
}

/** Missing results said in one line, with the ingest that refreshes them. */
export interface UnscoredSummary {
  readonly count: number;
  /** "168 games kicked off from 2026-09-10 to 2026-11-27 before <before> with no result stored (…)" */
  readonly detail: string;
  /** The command that reloads those seasons' results. */
  readonly fix: string;
}

/**
 * `missing` (from `unscoredBefore`) described for an operator: how many, which days, the first three
 * ids. `before` is the as-of instant as the caller shows instants. Undefined when nothing is missing.
 */
export function describeUnscored(missing: readonly Game[], before: string): UnscoredSummary | undefined {
  const first = missing[0];
  const last = missing[missing.length - 1];
  if (!first || !last) return undefined;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const shown = missing.slice(0, 3).map((g) => g.gameId);
  const more = missing.length > shown.length ? ` and ${missing.length - shown.length} more` : "";
  const when =
    missing.length === 1 ? `on ${day(first.kickoff)}` : `from ${day(first.kickoff)} to ${day(last.kickoff)}`;
  return {
    count: missing.length,
    detail:
      `${missing.length === 1 ? "1 game" : `${missing.length} games`} kicked off ${when} before ` +
      `${before} with no result stored (${shown.join(", ")}${more})`,
    fix: `npx nfl-pred ingest --seasons ${seasonArgs(missing.map((g) => g.season))} --datasets schedules`,
  };
}
