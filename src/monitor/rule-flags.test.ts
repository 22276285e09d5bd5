import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { flagsForSeason, normalizeRuleFlags, RULE_FLAGS_PATH } from "./index.ts";

const shipped = readFileSync(new URL(`../../${RULE_FLAGS_PATH}`, import.meta.url), "utf8");

describe("rule flags", () => {
  it("the shipped file holds the runbook's flags with the right seasons", () => {
    const table = normalizeRuleFlags(shipped, RULE_FLAGS_PATH);
    expect(table.map((f) => f.name).sort()).toEqual([
      "kickoff_2024plus",
      "kickoff_touchback",
      "ot_regular_2025plus",
    ]);
    expect(flagsForSeason(table, 2023)).toEqual({
      kickoff_touchback: true,
      kickoff_2024plus: false,
      ot_regular_2025plus: false,
    });
    expect(flagsForSeason(table, 2024)).toEqual({
      kickoff_touchback: false,
      kickoff_2024plus: true,
      ot_regular_2025plus: false,
    });
    expect(flagsForSeason(table, 2030)).toMatchObject({ kickoff_2024plus: true, ot_regular_2025plus: true });
    expect(flagsForSeason(table, 2015).kickoff_touchback).toBe(false);
  });

  it("accepts single seasons, closed and open ranges, and several ranges", () => {
    const table = normalizeRuleFlags(
      "flags:\n  f:\n    description: d\n    seasons: [2010, 2012-2013, '2020+']\n",
      "x.yml",
    );
    const on = [2009, 2010, 2011, 2012, 2013, 2019, 2020, 2040].filter((s) => flagsForSeason(table, s).f);
    expect(on).toEqual([2010, 2012, 2013, 2020, 2040]);
  });

  it.each([
    ["not: yaml: [", /not valid YAML/],
    ["", /\(top level\)/],
    ["flags:\n  f:\n    seasons: [2024+]\n", /flags\.f\.description/],
    [
      "flags:\n  f:\n    description: d\n    seasons: [2024-]\n",
      /flags\.f\.seasons\.0: '2024-' is not a season/,
    ],
    ["flags:\n  f:\n    description: d\n    seasons: [2023-2020]\n", /runs backwards/],
    ["flags:\n  f:\n    description: d\n    seasons: []\n", /at least one season/],
    [
      "flags:\n  Bad-Name:\n    description: d\n    seasons: [2024]\n",
      /flags.Bad-Name: flag name .Bad-Name. is not lower_snake_case/,
    ],
    ["flags:\n  f:\n    description: d\n    seasons: [2024]\n    extra: 1\n", /extra/],
  ])("refuses %j with a clear error naming the file", (text, message) => {
    expect(() => normalizeRuleFlags(text, "data/ref/rule_flags.yml")).toThrow(message);
    expect(() => normalizeRuleFlags(text, "data/ref/rule_flags.yml")).toThrow(/data\/ref\/rule_flags\.yml/);
  });
});
