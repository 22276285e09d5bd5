import { NflPredError } from "../domain/index.ts";

/** The stadium reference table, relative to the package root; the caller reads it and passes the text in. */
export const STADIUM_TABLE_PATH = "ref/stadiums.csv";

export interface Stadium {
  readonly stadiumId: string;
  readonly name: string;
  /** Decimal degrees, WGS84. */
  readonly lat: number;
  readonly lon: number;
  /** IANA zone, e.g. "America/Denver"; offsets are resolved per kickoff so DST is handled by the caller. */
  readonly tz: string;
  readonly altitudeFt: number;
}

const REQUIRED = ["stadium_id", "name", "lat", "lon", "tz", "altitude_ft"] as const;
type Column = (typeof REQUIRED)[number];

// Lowest and highest plausible venue: Dead Sea shore to well above any stadium ever built.
const ALTITUDE_RANGE_FT = [-1500, 15000] as const;

/**
 * Parses and validates `ref/stadiums.csv` into a map keyed by nflverse `stadium_id`.
 * Every row must have a unique id, a name, lat/lon in range, a valid IANA zone and a numeric altitude.
 *
 * @example
 * const stadiums = parseStadiumTable(readFileSync(new URL(STADIUM_TABLE_PATH, packageRoot), "utf8"));
 * stadiums.get("DEN00")?.altitudeFt; // 5280
 */
export function parseStadiumTable(csvText: string): ReadonlyMap<string, Stadium> {
  const records = splitCsvRecords(csvText);
  const header = (records[0] ?? []).map((h) => h.trim());
  const index = {} as Record<Column, number>;
  for (const col of REQUIRED) {
    const i = header.indexOf(col);
    if (i < 0) {
      throw new NflPredError("CONTRACT", `${STADIUM_TABLE_PATH}: missing column '${col}'`, {
        file: STADIUM_TABLE_PATH,
        column: col,
        hint: `expected columns include ${REQUIRED.join(", ")}`,
      });
    }
    index[col] = i;
  }

  const out = new Map<string, Stadium>();
  for (const [n, cells] of records.slice(1).entries()) {
    const row = n + 2;
    const fail = (column: Column, value: string, why: string): never => {
      throw new NflPredError(
        "CONTRACT",
        `${STADIUM_TABLE_PATH} row ${row}, column ${column}: ${why} (got '${value}')`,
        {
          file: STADIUM_TABLE_PATH,
          column,
          value,
        },
      );
    };
    const cell = (column: Column): string => (cells[index[column]] ?? "").trim();
    const num = (column: Column, min: number, max: number): number => {
      const raw = cell(column);
      const v = raw === "" ? Number.NaN : Number(raw);
      if (!Number.isFinite(v) || v < min || v > max)
        fail(column, raw, `expected a number in [${min}, ${max}]`);
      return v;
    };

    const stadiumId = cell("stadium_id");
    if (stadiumId === "") fail("stadium_id", stadiumId, "empty id");
    if (out.has(stadiumId)) fail("stadium_id", stadiumId, "duplicate id");
    const name = cell("name");
    if (name === "") fail("name", name, "empty name");
    const tz = cell("tz");
    if (!isIanaZone(tz)) fail("tz", tz, "expected an IANA time zone such as America/New_York");

    out.set(stadiumId, {
      stadiumId,
      name,
      lat: num("lat", -90, 90),
      lon: num("lon", -180, 180),
      tz,
      altitudeFt: num("altitude_ft", ALTITUDE_RANGE_FT[0], ALTITUDE_RANGE_FT[1]),
    });
  }
  return out;
}

// Region/City names only: Intl also accepts abbreviations like "EST", which hide DST rules.
function isIanaZone(tz: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines; CRLF or LF endings.
 * Blank lines are dropped.
 */
export function splitCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  const endRecord = () => {
    record.push(field);
    if (record.length > 1 || record[0] !== "") records.push(record);
    record = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n") {
      endRecord();
    } else if (c !== "\r") {
      field += c;
    }
  }
  if (field !== "" || record.length > 0) endRecord();
  return records;
}
