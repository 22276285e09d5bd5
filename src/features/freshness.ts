import type { AsOf, Game } from "../domain/index.ts";

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
