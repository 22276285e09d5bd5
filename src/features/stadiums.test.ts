import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isNflPredError, type NflPredError } from "../domain/index.ts";
import { parseStadiumTable, STADIUM_TABLE_PATH, splitCsvRecords } from "./stadiums.ts";
import { utcOffsetMinutes } from "./travel.ts";

const PACKAGE_ROOT = new URL("../../", import.meta.url);
const GAMES_CSV = new URL("../../../shared/data/nflverse/schedules/games.csv", import.meta.url);
const OVERRIDES_CSV = new URL("../../ref/venue_overrides.csv", import.meta.url);

const tableText = readFileSync(new URL(STADIUM_TABLE_PATH, PACKAGE_ROOT), "utf8");
const table = parseStadiumTable(tableText);

function column(csvText: string, name: string): string[] {
  const [header, ...rows] = splitCsvRecords(csvText);
  const i = header?.indexOf(name) ?? -1;
  if (i < 0) throw new Error(`no column ${name}`);
  return rows.map((r) => r[i] ?? "");
}

function thrown(fn: () => unknown): NflPredError {
  try {
    fn();
  } catch (e) {
    if (isNflPredError(e)) return e;
    throw e;
  }
  throw new Error("expected an NflPredError");
}

const HEADER = "stadium_id,name,lat,lon,tz,altitude_ft";

describe("ref/stadiums.csv", () => {
  it("covers every stadium_id in the real nflverse schedules with valid coordinates", () => {
    const ids = new Set(column(readFileSync(GAMES_CSV, "utf8"), "stadium_id"));
    expect(ids.size).toBeGreaterThanOrEqual(62);
    const missing = [...ids].filter((id) => !table.has(id));
    expect(missing).toEqual([]);
    for (const id of ids) {
      const s = table.get(id);
      expect(Number.isFinite(s?.lat) && Number.isFinite(s?.lon), id).toBe(true);
    }
  });

  it("covers every venue the override file points international games at", () => {
    const ids = column(readFileSync(OVERRIDES_CSV, "utf8"), "stadium_id");
    expect(ids.filter((id) => !table.has(id))).toEqual([]);
  });

  it("puts each venue at a longitude consistent with its zone's standard offset (catches sign slips)", () => {
    for (const s of table.values()) {
      const standard = Math.min(
        utcOffsetMinutes(s.tz, Date.UTC(2024, 0, 15)),
        utcOffsetMinutes(s.tz, Date.UTC(2024, 6, 15)),
      );
      expect(Math.abs(s.lon / 15 - standard / 60), `${s.stadiumId} ${s.tz} lon ${s.lon}`).toBeLessThan(2);
    }
  });

  it("has the altitude outliers and international sites", () => {
    expect(table.get("DEN00")?.altitudeFt).toBeGreaterThan(5000);
    expect(table.get("MEX00")?.altitudeFt).toBeGreaterThan(7000);
    expect(table.get("LON00")?.tz).toBe("Europe/London");
    expect(table.get("LON02")?.tz).toBe("Europe/London");
    expect(table.get("GER00")?.tz).toBe("Europe/Berlin");
    expect(table.get("SAO00")?.lat).toBeLessThan(0);
  });
});

describe("parseStadiumTable", () => {
  it("reads quoted fields and CRLF endings", () => {
    const m = parseStadiumTable(`${HEADER}\r\nX1,"Stadium, Inc. ""Dome""",1.5,-2.5,America/Chicago,10\r\n`);
    expect(m.get("X1")).toEqual({
      stadiumId: "X1",
      name: 'Stadium, Inc. "Dome"',
      lat: 1.5,
      lon: -2.5,
      tz: "America/Chicago",
      altitudeFt: 10,
    });
  });

  it("names the column and row of a bad latitude", () => {
    const e = thrown(() =>
      parseStadiumTable(`${HEADER}\nA,a,1,1,Europe/Paris,1\nB,b,95,1,America/Chicago,1\n`),
    );
    expect(e.code).toBe("CONTRACT");
    expect(e.column).toBe("lat");
    expect(e.value).toBe("95");
    expect(e.message).toContain("row 3");
  });

  it.each([
    ["lon", "A,a,1,x,America/Chicago,1"],
    ["lon", "A,a,1,,America/Chicago,1"],
    ["tz", "A,a,1,1,EST,1"],
    ["tz", "A,a,1,1,Mars/Olympus_Mons,1"],
    ["altitude_ft", "A,a,1,1,America/Chicago,high"],
    ["name", "A,,1,1,America/Chicago,1"],
    ["stadium_id", ",a,1,1,America/Chicago,1"],
  ])("rejects a bad %s", (col, line) => {
    expect(thrown(() => parseStadiumTable(`${HEADER}\n${line}\n`)).column).toBe(col);
  });

  it("rejects duplicate ids and missing columns", () => {
    const dup = thrown(() =>
      parseStadiumTable(`${HEADER}\nA,a,1,1,Europe/Paris,1\nA,b,1,1,Europe/Paris,1\n`),
    );
    expect(dup.column).toBe("stadium_id");
    expect(dup.message).toContain("duplicate");
    expect(thrown(() => parseStadiumTable("stadium_id,name,lat,lon,tz\n")).column).toBe("altitude_ft");
  });
});
