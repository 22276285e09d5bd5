import { describe, expect, it } from "vitest";
import { seasonArgs, seasonPhase, seasonRanges } from "./seasons.ts";

describe("seasonRanges and seasonArgs", () => {
  it("write runs for reading, sorted and without repeats", () => {
    expect(seasonRanges([2005, 1999, 2000, 2001, 2001, 2007, 2008])).toBe("1999–2001, 2005, 2007–2008");
    expect(seasonRanges([2024])).toBe("2024");
    expect(seasonRanges([])).toBe("");
  });

  it("write runs of three or more as a --seasons range, shorter ones as a list", () => {
    expect(seasonArgs([2024, 2025])).toBe("2024 2025");
    expect(seasonArgs([2026, 2015, 2016, 2017, 2018, 2020, 2021])).toBe("2015-2018 2020 2021 2026");
    expect(seasonArgs([2023])).toBe("2023");
  });
});

describe("seasonPhase", () => {
  it("splits the regular season at weeks 4 and 9 and puts every non-REG game in the playoffs", () => {
    expect([1, 4, 5, 9, 10, 18].map((w) => seasonPhase(w, "REG"))).toEqual([
      "weeks 1-4",
      "weeks 1-4",
      "weeks 5-9",
      "weeks 5-9",
      "weeks 10+",
      "weeks 10+",
    ]);
    // 2020's wild-card round was week 18; it is a playoff game whatever its number.
    expect(seasonPhase(18, "WC")).toBe("playoffs");
    expect(seasonPhase(22, "SB")).toBe("playoffs");
  });
});
