/** Consecutive seasons as [first, last] runs, sorted and without repeats. */
function runs(seasons: readonly number[]): [number, number][] {
  const sorted = [...new Set(seasons)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

/** Seasons for people to read: `[1999, 2000, 2001, 2005]` → `1999–2001, 2005`. */
export function seasonRanges(seasons: readonly number[]): string {
  return runs(seasons)
    .map(([a, b]) => (a === b ? String(a) : `${a}–${b}`))
    .join(", ");
}

/**
 * Seasons as `--seasons` arguments for a hint to paste: runs of three or more as a range
 * (`2015-2024 2026`), shorter ones listed, as the runbook writes them (`2024 2025`).
 */
export function seasonArgs(seasons: readonly number[]): string {
  return runs(seasons)
    .map(([a, b]) => (b - a >= 2 ? `${a}-${b}` : a === b ? String(a) : `${a} ${b}`))
    .join(" ");
}

/**
 * Where in the season a game falls. Early weeks are predicted mostly from last season's results, so a
 * model can beat Elo overall and still lose to it there; the backtest reports each phase.
 */
export const SEASON_PHASES = ["weeks 1-4", "weeks 5-9", "weeks 10+", "playoffs"] as const;
export type SeasonPhase = (typeof SEASON_PHASES)[number];

export function seasonPhase(week: number, gameType: string): SeasonPhase {
  if (gameType !== "REG") return "playoffs";
  return week <= 4 ? "weeks 1-4" : week <= 9 ? "weeks 5-9" : "weeks 10+";
}
