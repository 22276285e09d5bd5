import { describe, expect, it } from "vitest";
import { isNflPredError } from "../domain/index.ts";
import { parseGameId, parseRunId, parseSeasonWeek, readQuery } from "./params.ts";

const NOW = Date.parse("2026-11-29T00:00:00Z");

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isNflPredError(e) && e.code === "USAGE") return e.message;
    throw e;
  }
  throw new Error("expected a USAGE error");
}

describe("query parameters", () => {
  it("reads the allowed names and refuses unknown or repeated ones", () => {
    expect(readQuery(new URLSearchParams("season=2024&week=7"), ["season", "week"])).toEqual({
      season: "2024",
      week: "7",
    });
    expect(usage(() => readQuery(new URLSearchParams("seasn=2024"), ["season", "week"]))).toBe(
      "unknown parameter 'seasn'; expected season, week",
    );
    expect(usage(() => readQuery(new URLSearchParams("week=1&week=2"), ["season", "week"]))).toMatch(
      /week: given more than once/,
    );
    expect(usage(() => readQuery(new URLSearchParams("x=1"), []))).toMatch(/takes no parameters/);
  });

  it("season and week: both or neither, whole numbers in range", () => {
    expect(parseSeasonWeek({}, NOW)).toBeUndefined();
    expect(parseSeasonWeek({ season: "2024", week: "7" }, NOW)).toEqual({ season: 2024, week: 7 });
    expect(parseSeasonWeek({ season: "2027", week: "22" }, NOW)).toEqual({ season: 2027, week: 22 });
    expect(usage(() => parseSeasonWeek({ season: "2028", week: "1" }, NOW))).toMatch(/from 1999 to 2027/);
    expect(usage(() => parseSeasonWeek({ season: "1998", week: "1" }, NOW))).toMatch(/got '1998'/);
    expect(usage(() => parseSeasonWeek({ season: "abc", week: "1" }, NOW))).toMatch(/season: expected/);
    expect(usage(() => parseSeasonWeek({ season: "abc" }, NOW))).toMatch(/season: expected/);
    expect(usage(() => parseSeasonWeek({ season: "2024", week: "0" }, NOW))).toMatch(/week: .* 1 to 22/);
    expect(usage(() => parseSeasonWeek({ season: "2024", week: "7.5" }, NOW))).toMatch(/week/);
    expect(usage(() => parseSeasonWeek({ season: "2024", week: "" }, NOW))).toMatch(/week/);
    expect(usage(() => parseSeasonWeek({ season: "2024" }, NOW))).toBe("week: required with season");
    expect(usage(() => parseSeasonWeek({ week: "3" }, NOW))).toBe("season: required with week");
  });

  it("game and run ids have their writers' shapes", () => {
    expect(parseGameId("2024_07_NE_JAX")).toBe("2024_07_NE_JAX");
    expect(usage(() => parseGameId(undefined))).toMatch(/required/);
    expect(usage(() => parseGameId("2024_07_NE_JAX' OR 1=1"))).toMatch(/nflverse game id/);
    expect(usage(() => parseGameId("../etc/passwd"))).toMatch(/nflverse game id/);
    expect(parseRunId("bt_mvp_v1_logistic_weekly_20250101T000000Z")).toMatch(/^bt_/);
    expect(usage(() => parseRunId("a b"))).toMatch(/run_id/);
  });
});
