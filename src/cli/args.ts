import { NflPredError } from "../domain/index.ts";

export const FIRST_SEASON = 1999;

/** The NFL season an instant belongs to: the league year turns in March. */
export function seasonOf(instantMs: number): number {
  const d = new Date(instantMs);
  return d.getUTCMonth() >= 2 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}

/**
 * Parses `--seasons` values: a list, commas and ranges (`2015-2025`), each within 1999..next season.
 * @example parseSeasons(["2015-2017", "2020"], now) // [2015, 2016, 2017, 2020]
 */
export function parseSeasons(values: readonly string[], nowMs: number, flag = "--seasons"): number[] {
  const last = seasonOf(nowMs) + 1;
  const out = new Set<number>();
  const tokens = values
    .flatMap((v) => v.split(","))
    .map((t) => t.trim())
    .filter(Boolean);
  if (tokens.length === 0) throw new NflPredError("USAGE", `${flag} needs at least one season`, { flag });
  for (const token of tokens) {
    const m = /^(\d{4})(?:-(\d{4}))?$/.exec(token);
    if (!m)
      throw new NflPredError("USAGE", `${flag}: '${token}' is not a season or a range like 2015-2025`, {
        flag,
        value: token,
      });
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from)
      throw new NflPredError("USAGE", `${flag}: range '${token}' runs backwards`, { flag, value: token });
    for (const s of [from, to]) {
      if (s < FIRST_SEASON || s > last) {
        throw new NflPredError("USAGE", `${flag}: season ${s} is outside ${FIRST_SEASON}–${last}`, {
          flag,
          value: token,
        });
      }
    }
    for (let s = from; s <= to; s++) out.add(s);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Weeks from a flag value: one week (`7`), a range (`1-6`) or a comma list (`21,22`), sorted without repeats.
 * @example parseWeeks("1-3,5", "--week") // [1, 2, 3, 5]
 */
export function parseWeeks(value: string, flag: string): number[] {
  const out = new Set<number>();
  for (const token of value.split(",").map((t) => t.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(token);
    if (!m) {
      throw new NflPredError(
        "USAGE",
        `${flag}: '${token}' is not a week, a range like 1-6 or a list like 21,22`,
        {
          flag,
          value,
        },
      );
    }
    const from = parseInteger(m[1]!, flag, 1, 22);
    const to = m[2] === undefined ? from : parseInteger(m[2], flag, 1, 22);
    if (to < from)
      throw new NflPredError("USAGE", `${flag}: range '${token}' runs backwards`, { flag, value });
    for (let w = from; w <= to; w++) out.add(w);
  }
  return [...out].sort((a, b) => a - b);
}

export function parseInteger(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new NflPredError(
      "USAGE",
      `${flag}: expected a whole number from ${min} to ${max}, got '${value}'`,
      { flag, value },
    );
  }
  return n;
}

/** Parses an ISO-8601 instant with an explicit zone (Z or ±hh:mm). */
export function parseInstant(value: string, flag: string): number {
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value.trim())) {
    throw new NflPredError(
      "USAGE",
      `${flag}: '${value}' needs a time zone, e.g. 2024-10-13T17:00:00Z (operate in UTC)`,
      {
        flag,
        value,
      },
    );
  }
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new NflPredError("USAGE", `${flag}: '${value}' is not an ISO-8601 instant`, { flag, value });
  return t;
}

export function parseList<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new NflPredError("USAGE", `${flag}: unknown value '${item}' (expected: ${allowed.join(", ")})`, {
        flag,
        value: item,
      });
    }
  }
  return items as T[];
}
