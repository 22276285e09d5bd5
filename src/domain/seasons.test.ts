import { describe, expect, it } from "vitest";
import { seasonArgs, seasonRanges } from "./seasons.ts";

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
