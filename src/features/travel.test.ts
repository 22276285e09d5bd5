import { describe, expect, it } from "vitest";
import { isNflPredError } from "../domain/index.ts";
import type { Stadium } from "./stadiums.ts";
import { greatCircleMiles, timeZonesCrossed, travelFor, utcOffsetMinutes } from "./travel.ts";

const NYC = { lat: 40.7128, lon: -74.006 };
const LA = { lat: 34.0522, lon: -118.2437 };

// Venues written out here rather than read from ref/stadiums.csv so these tests pin the math, not the table.
const ARROWHEAD: Stadium = {
  stadiumId: "KAN00",
  name: "Arrowhead",
  lat: 39.0489,
  lon: -94.4839,
  tz: "America/Chicago",
  altitudeFt: 880,
};
const MILE_HIGH: Stadium = {
  stadiumId: "DEN00",
  name: "Mile High",
  lat: 39.7439,
  lon: -105.0201,
  tz: "America/Denver",
  altitudeFt: 5280,
};
const WEMBLEY: Stadium = {
  stadiumId: "LON00",
  name: "Wembley",
  lat: 51.556,
  lon: -0.2795,
  tz: "Europe/London",
  altitudeFt: 130,
};

describe("greatCircleMiles", () => {
  it("matches published city distances", () => {
    expect(Math.abs(greatCircleMiles(NYC, LA) - 2450)).toBeLessThan(30);
    expect(Math.abs(greatCircleMiles(ARROWHEAD, WEMBLEY) - 4400)).toBeLessThan(100);
  });

  it("is zero at a point, symmetric, and half the circumference between antipodes", () => {
    expect(greatCircleMiles(NYC, NYC)).toBe(0);
    expect(greatCircleMiles(NYC, LA)).toBeCloseTo(greatCircleMiles(LA, NYC), 9);
    expect(greatCircleMiles({ lat: 10, lon: 20 }, { lat: -10, lon: -160 })).toBeCloseTo(Math.PI * 3958.8, 2);
  });

  it("treats one degree of latitude as about 69 miles", () => {
    expect(greatCircleMiles({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(69.09, 1);
  });
});

describe("utcOffsetMinutes", () => {
  it("follows US daylight saving", () => {
    expect(utcOffsetMinutes("America/New_York", Date.UTC(2024, 6, 15, 12))).toBe(-240);
    expect(utcOffsetMinutes("America/New_York", Date.UTC(2024, 0, 15, 12))).toBe(-300);
  });

  it("changes at the 2024 spring-forward instant (07:00Z on March 10 in New York)", () => {
    expect(utcOffsetMinutes("America/New_York", Date.parse("2024-03-10T06:59:00Z"))).toBe(-300);
    expect(utcOffsetMinutes("America/New_York", Date.parse("2024-03-10T07:01:00Z"))).toBe(-240);
  });

  it("handles zones without DST, half-hour zones and the southern hemisphere", () => {
    expect(utcOffsetMinutes("America/Phoenix", Date.UTC(2024, 6, 15))).toBe(-420);
    expect(utcOffsetMinutes("America/Phoenix", Date.UTC(2024, 0, 15))).toBe(-420);
    expect(utcOffsetMinutes("Asia/Kolkata", Date.UTC(2024, 0, 15))).toBe(330);
    expect(utcOffsetMinutes("Australia/Melbourne", Date.UTC(2024, 0, 15))).toBe(660);
    expect(utcOffsetMinutes("Australia/Melbourne", Date.UTC(2024, 6, 15))).toBe(600);
    expect(utcOffsetMinutes("Europe/London", Date.UTC(2024, 6, 15))).toBe(60);
  });

  it("ignores sub-second parts of the instant", () => {
    expect(utcOffsetMinutes("Europe/Berlin", Date.UTC(2024, 0, 15) + 999)).toBe(60);
  });

  it("rejects unknown zones and non-finite instants with NflPredError", () => {
    expect(() => utcOffsetMinutes("Not/AZone", 0)).toThrow(/unknown time zone/);
    try {
      utcOffsetMinutes("Europe/London", Number.NaN);
      expect.unreachable();
    } catch (e) {
      expect(isNflPredError(e)).toBe(true);
    }
  });
});

describe("timeZonesCrossed", () => {
  it("London is five hours from New York in January", () => {
    expect(timeZonesCrossed("America/New_York", "Europe/London", Date.UTC(2024, 0, 15))).toBe(5);
    expect(timeZonesCrossed("Europe/London", "America/New_York", Date.UTC(2024, 0, 15))).toBe(5);
  });

  it("is four in the weeks when the US has sprung forward and Europe has not", () => {
    expect(timeZonesCrossed("America/New_York", "Europe/London", Date.UTC(2024, 2, 15))).toBe(4);
  });

  it("counts coast to coast as three and Arizona in summer as zero from Los Angeles", () => {
    expect(timeZonesCrossed("America/New_York", "America/Los_Angeles", Date.UTC(2024, 9, 1))).toBe(3);
    expect(timeZonesCrossed("America/Los_Angeles", "America/Phoenix", Date.UTC(2024, 6, 1))).toBe(0);
  });

  it("goes the short way round across the date line", () => {
    // September 2026: Los Angeles is UTC-7, Melbourne UTC+10; the gap westward is 7 hours, not 17.
    expect(timeZonesCrossed("America/Los_Angeles", "Australia/Melbourne", Date.UTC(2026, 8, 10))).toBe(7);
  });

  it("rounds half-hour gaps to whole zones", () => {
    expect(timeZonesCrossed("Europe/London", "Asia/Kolkata", Date.UTC(2024, 0, 15))).toBe(6);
  });
});

describe("travelFor", () => {
  const kickoff = Date.UTC(2024, 9, 6, 20, 25);

  it("returns distance, zones and altitude for a road trip", () => {
    const t = travelFor(ARROWHEAD, MILE_HIGH, kickoff);
    expect(t.miles).toBeGreaterThan(540);
    expect(t.miles).toBeLessThan(590);
    expect(t.tzCrossed).toBe(1);
    expect(t.altitudeFt).toBeGreaterThan(5000);
  });

  it("is zero when the team plays where it last played", () => {
    expect(travelFor(MILE_HIGH, MILE_HIGH, kickoff)).toEqual({ miles: 0, tzCrossed: 0, altitudeFt: 5280 });
  });

  it("is null, not zero, without a previous venue", () => {
    expect(travelFor(undefined, WEMBLEY, kickoff)).toEqual({ miles: null, tzCrossed: null, altitudeFt: 130 });
  });
});
