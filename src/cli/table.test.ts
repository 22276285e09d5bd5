import { describe, expect, it } from "vitest";
import { formatSlope } from "./table.ts";

describe("formatSlope", () => {
  it("writes the slope with its standard error, or alone when the error is unknown", () => {
    expect(formatSlope(0.7912, 0.1104)).toBe("0.79 ± 0.11");
    expect(formatSlope(-3.1, 2.456)).toBe("-3.10 ± 2.46");
    expect(formatSlope(1, null)).toBe("1.00");
    expect(formatSlope(1, undefined)).toBe("1.00");
    expect(formatSlope(0, Number.NaN)).toBe("0.00");
  });
});
