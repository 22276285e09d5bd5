import { describe, expect, it } from "vitest";
import { seasonArgs } from "../domain/index.ts";
import { parseInstant, parseSeasons, seasonOf } from "./args.ts";

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
