import { describe, expect, it } from "vitest";
import { seasonArgs } from "../domain/index.ts";
import { parseInstant, parseSeasons, parseWeeks, seasonOf } from "./args.ts";

const now = Date.parse("2026-11-29T00:00:00Z");

describe("parseSeasons", () => {
  it("takes lists, commas and ranges, sorted and deduplicated", () => {
    expect(parseSeasons(["2024", "2020-2022,2021"], now)).toEqual([2020, 2021, 2022, 2024]);
  });
  it("allows up to next season and refuses the rest with the flag and value", () => {
    expect(parseSeasons(["2027"], now)).toEqual([2027]);
    expect(() => parseSeasons(["2028"], now)).toThrow(/--seasons: season 2028 is outside 1999–2027/);
    expect(() => parseSeasons(["1998-2000"], now)).toThrow(/1998/);
    expect(() => parseSeasons(["20x4"], now)).toThrow(/'20x4'/);
    expect(() => parseSeasons(["2025-2020"], now)).toThrow(/backwards/);
  });
  it("turns the league year in March", () => {
    expect(seasonOf(Date.parse("2026-02-10T00:00:00Z"))).toBe(2025);
    expect(seasonOf(Date.parse("2026-03-01T00:00:00Z"))).toBe(2026);
  });
});

describe("parseWeeks", () => {
  it("takes one week, a range or a comma list, sorted and deduplicated", () => {
    expect(parseWeeks("7", "--week")).toEqual([7]);
    expect(parseWeeks("1-3,2,22", "--week")).toEqual([1, 2, 3, 22]);
  });
  it("refuses weeks outside 1-22, backward ranges and other text, naming the flag and value", () => {
    expect(() => parseWeeks("0", "--week")).toThrow("--week: expected a whole number from 1 to 22, got '0'");
    expect(() => parseWeeks("20-23", "--week")).toThrow(/got '23'/);
    expect(() => parseWeeks("6-1", "--week")).toThrow("--week: range '6-1' runs backwards");
    expect(() => parseWeeks("one", "--week")).toThrow("--week: 'one' is not a week");
    expect(() => parseWeeks("1,,2", "--week")).toThrow("--week: '' is not a week");
  });
});

describe("parseInstant", () => {
  it("requires an explicit zone", () => {
    expect(parseInstant("2024-10-13T17:00:00Z", "--at")).toBe(Date.parse("2024-10-13T17:00:00Z"));
    expect(() => parseInstant("2024-10-13T17:00:00", "--at")).toThrow(/--at: .* needs a time zone/);
  });
});

describe("seasonArgs (a hint's --seasons) through parseSeasons", () => {
  it("gives back the seasons it was made from", () => {
    for (const seasons of [[1999], [2024, 2025], [2001, 2002, 2003, 2010, 2012, 2013, 2014, 2015, 2027]]) {
      expect(parseSeasons(seasonArgs(seasons).split(" "), now)).toEqual(seasons);
    }
  });
});
