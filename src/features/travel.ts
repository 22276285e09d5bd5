import { NflPredError } from "../domain/index.ts";
import type { Stadium } from "./stadiums.ts";

export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** Mean earth radius in statute miles. */
const EARTH_RADIUS_MI = 3958.8;
const RAD = Math.PI / 180;

/**
 * Great-circle (haversine) distance in statute miles.
 *
 * @example
 * greatCircleMiles({ lat: 40.7128, lon: -74.006 }, { lat: 34.0522, lon: -118.2437 }); // ≈ 2446
 */
export function greatCircleMiles(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  // min() guards against h creeping above 1 through rounding for near-antipodal points.
  return 2 * EARTH_RADIUS_MI * Math.asin(Math.min(1, Math.sqrt(h)));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (cause) {
      throw new NflPredError("CONTRACT", `unknown time zone '${tz}'`, { value: tz, cause });
    }
    formatters.set(tz, f);
  }
  return f;
}

/**
 * Offset of `tz` from UTC in minutes at the given instant (DST-aware; negative west of Greenwich).
 *
 * @example
 * utcOffsetMinutes("America/New_York", Date.UTC(2024, 6, 1)); // -240
 */
export function utcOffsetMinutes(tz: string, instantMs: number): number {
  if (!Number.isFinite(instantMs)) {
    throw new NflPredError("CONTRACT", `instant must be a finite epoch-millisecond value`, {
      value: String(instantMs),
    });
  }
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(wholeSecond)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year ?? Number.NaN,
    (parts.month ?? Number.NaN) - 1,
    parts.day ?? Number.NaN,
    parts.hour ?? Number.NaN,
    parts.minute ?? Number.NaN,
    parts.second ?? Number.NaN,
  );
  return Math.round((wall - wholeSecond) / 60_000);
}

/**
 * Whole time zones between two zones at an instant: the offset gap in hours, rounded, taken the short way
 * round the globe (Los Angeles → Melbourne is 7, not 17, as the body clock experiences it).
 *
 * @example
 * timeZonesCrossed("America/New_York", "Europe/London", Date.UTC(2024, 0, 15)); // 5
 */
export function timeZonesCrossed(fromTz: string, toTz: string, instantMs: number): number {
  const hours = Math.abs(utcOffsetMinutes(toTz, instantMs) - utcOffsetMinutes(fromTz, instantMs)) / 60;
  return Math.round(Math.min(hours, 24 - hours));
}

export interface Travel {
  /** Great-circle miles from the previous venue; null when there is no previous venue. */
  readonly miles: number | null;
  /** Time zones between the previous venue and this one at the instant; null when there is no previous venue. */
  readonly tzCrossed: number | null;
  readonly altitudeFt: number;
}

/**
 * Travel into `venue` from where the team last played. Without a previous venue (a season opener, or
 * no earlier game known) miles and zones are null rather than 0: "did not travel" and "unknown" must
 * stay apart, and the caller may substitute the team's home stadium if it wants a number.
 *
 * @example
 * travelFor(stadiums.get("KAN00"), stadiums.get("DEN00")!, kickoffMs); // { miles: ≈564, tzCrossed: 1, altitudeFt: 5280 }
 */
export function travelFor(prevVenue: Stadium | undefined, venue: Stadium, instantMs: number): Travel {
  if (!prevVenue) return { miles: null, tzCrossed: null, altitudeFt: venue.altitudeFt };
  if (prevVenue.stadiumId === venue.stadiumId)
    return { miles: 0, tzCrossed: 0, altitudeFt: venue.altitudeFt };
  return {
    miles: greatCircleMiles(prevVenue, venue),
    tzCrossed: timeZonesCrossed(prevVenue.tz, venue.tz, instantMs),
    altitudeFt: venue.altitudeFt,
  };
}
