import { NflPredError } from "../domain/index.ts";

export const FIRST_SEASON = 1999;
export const MAX_WEEK = 22;

function bad(name: string, message: string, value?: string): NflPredError {
  return new NflPredError("USAGE", `${name}: ${message}`, {
    flag: name,
    ...(value === undefined ? {} : { value }),
  });
}

/**
 * The query string as a plain record, refusing names the endpoint does not take and repeated names
 * (a typo like `?seasn=2024` must not silently show the default week).
 * @example readQuery(new URLSearchParams("season=2024&week=7"), ["season", "week"]) // { season: "2024", week: "7" }
 */
export function readQuery(search: URLSearchParams, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of search) {
    if (!allowed.includes(name)) {
      const expected =
        allowed.length === 0 ? "this endpoint takes no parameters" : `expected ${allowed.join(", ")}`;
      throw new NflPredError("USAGE", `unknown parameter '${name}'; ${expected}`, { flag: name });
    }
    if (name in out) throw bad(name, "given more than once", value);
    out[name] = value;
  }
  return out;
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw bad(name, `expected a whole number from ${min} to ${max}, got '${value}'`, value);
  }
  return Number(value);
}

/** A season from 1999 to the one after `now`'s year. */
export function parseSeason(value: string, now: number): number {
  return integer("season", value, FIRST_SEASON, new Date(now).getUTCFullYear() + 1);
}

/** A week from 1 to 22 (regular season and playoffs). */
export function parseWeek(value: string): number {
  return integer("week", value, 1, MAX_WEEK);
}

/** Season and week go together; neither means "the default week". */
export function parseSeasonWeek(
  q: Readonly<Record<string, string>>,
  now: number,
): { season: number; week: number } | undefined {
  if (q.season === undefined && q.week === undefined) return undefined;
  if (q.season === undefined) throw bad("season", "required with week");
  const season = parseSeason(q.season, now);
  if (q.week === undefined) throw bad("week", "required with season");
  return { season, week: parseWeek(q.week) };
}

/** nflverse game ids: `2024_07_NE_JAX`. */
export function parseGameId(value: string | undefined): string {
  if (value === undefined) throw bad("game_id", "required, e.g. game_id=2024_07_NE_JAX");
  if (!/^\d{4}_\d{2}_[A-Z]{2,3}_[A-Z]{2,3}$/.test(value)) {
    throw bad("game_id", `expected an nflverse game id like 2024_07_NE_JAX, got '${value}'`, value);
  }
  return value;
}

/** Backtest run ids as `nfl-pred backtest` writes them (letters, digits, `_`, `-`, `.`). */
export function parseRunId(value: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(value)) {
    throw bad(
      "run_id",
      `expected a backtest run id like bt_mvp_v1_logistic_weekly_20250101T000000Z, got '${value}'`,
      value,
    );
  }
  return value;
}
