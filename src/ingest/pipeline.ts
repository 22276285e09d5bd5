import { createHash } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { NflPredError, seasonRanges } from "../domain/index.ts";
import {
  type ColumnDef,
  type Database,
  type DatasetName,
  DERIVED_COLUMNS,
  SOURCE_COLUMNS,
  tableColumns,
} from "../storage/index.ts";
import { CONTRACTS, TEAM_ALIASES } from "./contracts.ts";
import { type FetchEffects, type FetchPolicy, fetchSource } from "./fetch.ts";
import { describeMissingFiles, type MissingFile } from "./missing.ts";
import { type FileFormat, planSourceFiles, type SourceFile, sourceUrl } from "./urls.ts";

export interface IngestRequest {
  readonly datasets: readonly DatasetName[];
  readonly seasons: readonly number[];
  readonly allowMissing: boolean;
  /** Base URL or mirror directory (`NFLVERSE_MIRROR`), else the nflverse releases. */
  readonly base: string;
  readonly rawDir: string;
  readonly policy: FetchPolicy;
}

export interface IngestEffects extends FetchEffects {
  readonly now: () => number;
  readonly onProgress?: (p: { done: number; total: number; label: string; status: string }) => void;
}

export interface FileResult {
  readonly dataset: DatasetName;
  readonly season: number | null;
  readonly url: string;
  /** `empty`: the file holds none of the requested seasons (only for `supplementary` sources). */
  readonly status: "loaded" | "unchanged" | "missing" | "empty";
  readonly rows: number;
  readonly missingColumns: readonly string[];
  /** Why a supplementary source was skipped when it could not be fetched. */
  readonly reason?: string;
}

export interface IngestSummary {
  readonly files: FileResult[];
  readonly notPublished: { dataset: DatasetName; season: number; reason: string }[];
  readonly rowsBySeason: { dataset: DatasetName; season: number | null; rows: number }[];
}

interface Staged {
  readonly file: SourceFile;
  readonly url: string;
  readonly format: FileFormat;
  readonly sha256: string;
  readonly etag: string | null;
  readonly bytes: number;
  /** The validated, typed rows as Parquet; renamed to `rawPath` only once the transaction commits. */
  readonly tmpRaw: string;
  readonly seasons: (number | null)[];
  readonly rows: number;
  readonly missingColumns: string[];
  readonly rawPath: string;
}

/**
 * fetch → validate against the contract → stage → write raw Parquet → upsert by season, all in one
 * transaction: a bad file stores nothing and leaves every table as it was.
 */
export async function runIngest(db: Database, req: IngestRequest, fx: IngestEffects): Promise<IngestSummary> {
  const plan = planSourceFiles(req.datasets, req.seasons);
  const staged: Staged[] = [];
  const results: FileResult[] = [];
  const missing: MissingFile[] = [];
  const total = plan.files.length;
  const tmpDir = join(req.rawDir, ".tmp");
  mkdirSync(tmpDir, { recursive: true });
  try {
    for (const [i, file] of plan.files.entries()) {
      const label = file.season === null ? `${file.dataset}` : `${file.dataset} ${file.season}`;
      fx.onProgress?.({ done: i, total, label, status: "fetching" });
      const done = (
        r: Omit<FileResult, "dataset" | "season" | "rows" | "missingColumns"> & Partial<FileResult>,
      ) => {
        results.push({ dataset: file.dataset, season: file.season, rows: 0, missingColumns: [], ...r });
        fx.onProgress?.({ done: i + 1, total, label, status: r.rows ? `${r.rows} rows` : r.status });
      };
      const seasons =
        file.season === null ? (file.dataset === "teams" ? [null] : [...req.seasons]) : [file.season];
      const got = await fetchFirstFormat(db, req, fx, file, seasons).catch((e: unknown) => {
        // An unreachable supplementary source is skipped like a missing one; nflverse failures stay fatal.
        if (!file.supplementary || !(e instanceof NflPredError)) throw e;
        const url = sourceUrl(req.base, file, file.formats[0]!);
        return { kind: "missing", url, reason: e.message } as const;
      });
      if (got.kind === "missing") {
        if (!file.supplementary) missing.push({ dataset: file.dataset, season: file.season, url: got.url });
        done({ url: got.url, status: "missing", ...("reason" in got ? { reason: got.reason } : {}) });
        continue;
      }
      if (got.kind === "unchanged") {
        done({ url: got.url, status: "unchanged" });
        continue;
      }
      const s = await stageFile(db, file, got, seasons, tmpDir, req.rawDir, staged.length).catch(
        (e: unknown) => {
          // A bad supplementary file still stops the run (bad input never passes silently), but the weekly
          // job must be able to go on without it.
          if (!file.supplementary || !(e instanceof NflPredError) || e.hint) throw e;
          const rest = req.datasets.filter((d) => d !== file.dataset);
          throw new NflPredError(e.code, e.message, {
            file: e.file,
            column: e.column,
            flag: "--datasets",
            cause: e,
            hint: `${file.dataset} is not an nflverse dataset and can be left out${rest.length > 0 ? `: --datasets ${rest.join(",")}` : ""}`,
          });
        },
      );
      if (s.seasons.length === 0) {
        done({ url: s.url, status: "empty" });
        continue;
      }
      staged.push(s);
      done({ url: s.url, status: "loaded", rows: s.rows, missingColumns: s.missingColumns });
    }
    if (missing.length > 0 && !req.allowMissing) {
      throw new NflPredError(
        "MISSING_SOURCE",
        `the source lacks ${missing.length} file(s):\n  ${describeMissingFiles(missing)
          .map((m) => m.text)
          .join("\n  ")}`,
        {
          file: missing[0]!.url,
          hint: "re-run with --allow-missing to ingest the rest; nothing was stored",
        },
      );
    }
    await commit(db, staged, fx.now());
    for (const s of staged) renameSync(s.tmpRaw, s.rawPath);
  } finally {
    for (const s of staged) rmSync(s.tmpRaw, { force: true });
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const rowsBySeason = await countRows(db, req);
  return { files: results, notPublished: plan.notPublished, rowsBySeason };
}

type Fetched =
  | { kind: "ok"; url: string; format: FileFormat; bytes: Buffer; etag: string | null; sha256: string }
  | { kind: "unchanged"; url: string }
  | { kind: "missing"; url: string };

async function fetchFirstFormat(
  db: Database,
  req: IngestRequest,
  fx: IngestEffects,
  file: SourceFile,
  seasons: (number | null)[],
): Promise<Fetched> {
  let firstUrl = "";
  for (const format of file.formats) {
    const url = sourceUrl(req.base, file, format);
    firstUrl ||= url;
    const prior = await priorVersion(db, file.dataset, seasons, url);
    const out = await fetchSource(url, req.policy, fx, prior?.etag);
    if (out.kind === "missing") continue;
    if (out.kind === "not_modified") return { kind: "unchanged", url };
    const sha256 = createHash("sha256").update(out.bytes).digest("hex");
    if (prior && prior.sha256 === sha256) return { kind: "unchanged", url };
    return { kind: "ok", url, format, bytes: out.bytes, etag: out.etag, sha256 };
  }
  return { kind: "missing", url: firstUrl.replace(/\.[^/]*$/, `.{${file.formats.join(",")}}`) };
}

/** The version already stored for every one of these seasons, if they all came from the same file bytes. */
async function priorVersion(
  db: Database,
  dataset: DatasetName,
  seasons: (number | null)[],
  url: string,
): Promise<{ sha256: string; etag: string | null } | undefined> {
  let common: { sha256: string; etag: string | null } | undefined;
  for (const season of seasons) {
    const log = await db.one<{ sha256: string; etag: string | null }>(
      `SELECT sha256, etag FROM ingest_log WHERE dataset = ? AND season IS NOT DISTINCT FROM ? AND source_url = ?
       AND NOT skipped ORDER BY pulled_at DESC LIMIT 1`,
      [dataset, season, url],
    );
    if (!log) return undefined;
    const present = await db.one(
      season === null
        ? `SELECT 1 AS x FROM ${dataset} LIMIT 1`
        : `SELECT 1 AS x FROM ${dataset} WHERE season = ? LIMIT 1`,
      season === null ? [] : [season],
    );
    if (!present) return undefined;
    if (common && common.sha256 !== log.sha256) return undefined;
    common = log;
  }
  return common;
}

async function stageFile(
  db: Database,
  file: SourceFile,
  got: Extract<Fetched, { kind: "ok" }>,
  seasons: (number | null)[],
  tmpDir: string,
  rawDir: string,
  index: number,
): Promise<Staged> {
  const where = `${file.dataset} file ${got.url}`;
  checkBytes(got.bytes, got.format, where);
  const tmpPath = join(tmpDir, `${file.file}.${got.format}`);
  writeFileSync(tmpPath, got.bytes);
  const src = `src_${index}`;
  const srcKind = got.format === "parquet" ? "VIEW" : "TABLE";
  const reader =
    got.format === "parquet"
      ? `read_parquet('${sqlPath(tmpPath)}')`
      : `read_csv('${sqlPath(tmpPath)}', all_varchar = true, header = true)`;
  // The source is scanned twice (type check, typed copy). Parquet scans are cheap, so it stays a view;
  // re-parsing CSV costs more than materialising it once. Any read error on the way is the file's fault.
  const readingSource = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (cause) {
      if (cause instanceof NflPredError) throw cause;
      throw new NflPredError("CONTRACT", `${where}: cannot be read as ${got.format}: ${firstLine(cause)}`, {
        file: got.url,
        cause,
      });
    }
  };
  try {
    await readingSource(() => db.run(`CREATE OR REPLACE TEMP ${srcKind} ${src} AS SELECT * FROM ${reader}`));
    const sourceTypes = await readingSource(() =>
      db.all<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
        [src],
      ),
    );
    const present = new Set(sourceTypes.map((c) => c.column_name));
    const contract = CONTRACTS[file.dataset];
    const layout = contract.layouts.find((l) => l.every((c) => present.has(c)));
    if (!layout) {
      const best = contract.layouts[0] ?? [];
      const absent = best.filter((c) => !present.has(c));
      throw new NflPredError("CONTRACT", `${where}: missing required column(s) ${absent.join(", ")}`, {
        file: got.url,
        column: absent[0],
      });
    }
    const sourceCols = SOURCE_COLUMNS[file.dataset];
    await readingSource(() =>
      checkTypes(
        db,
        src,
        sourceCols.filter((c) => present.has(c.name) && !castCannotFail(sourceTypes, c)),
        where,
        got.url,
      ),
    );
    const missingColumns = sourceCols.filter((c) => !present.has(c.name)).map((c) => c.name);
    const selects = tableColumns(file.dataset).map((c) => `${columnExpr(file, c, present)} AS "${c.name}"`);
    const seasonFilter = seasonWhere(file, seasons, present);
    const rawPath = join(
      rawDir,
      file.dataset,
      `${file.file}${file.season === null && seasons[0] !== null ? `_${seasons.join("_")}` : ""}.parquet`,
    );
    mkdirSync(join(rawDir, file.dataset), { recursive: true });
    // The typed rows go straight to Parquet, which then serves as the staging area: materialising a staging
    // table as well cost a second copy of every row.
    const tmpRaw = `${rawPath}.tmp-${process.pid}`;
    try {
      await readingSource(() =>
        db.run(
          `COPY (SELECT ${selects.join(", ")} FROM ${src} ${seasonFilter}) TO '${sqlPath(tmpRaw)}' (FORMAT parquet)`,
        ),
      );
      const stage = parquetOf(tmpRaw);
      const count = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${stage}`);
      const rows = count?.n ?? 0;
      let kept = seasons;
      if (file.supplementary && seasons[0] !== null) {
        // Only the seasons the file holds are replaced; the others keep what is stored.
        const held = new Set(
          (await db.all<{ season: number }>(`SELECT DISTINCT season FROM ${stage}`)).map((r) => r.season),
        );
        kept = seasons.filter((x) => x !== null && held.has(x));
        if (kept.length === 0) rmSync(tmpRaw, { force: true });
      } else if (rows === 0) {
        throw new NflPredError(
          "CONTRACT",
          `${where}: no rows for season(s) ${seasonRanges(seasons.filter((x): x is number => x !== null))}`,
          {
            file: got.url,
          },
        );
      }
      if (file.dataset === "schedules") {
        const dup = await db.one<{ game_id: string }>(
          `SELECT game_id FROM ${stage} GROUP BY game_id HAVING count(*) > 1 LIMIT 1`,
        );
        if (dup)
          throw new NflPredError("CONTRACT", `${where}: duplicate game_id ${dup.game_id}`, {
            file: got.url,
            column: "game_id",
            value: dup.game_id,
          });
      }
      return {
        file,
        url: got.url,
        format: got.format,
        sha256: got.sha256,
        etag: got.etag,
        bytes: got.bytes.length,
        tmpRaw,
        seasons: kept,
        rows,
        missingColumns,
        rawPath,
      };
    } catch (e) {
      rmSync(tmpRaw, { force: true });
      throw e;
    }
  } finally {
    await db.run(`DROP ${srcKind} IF EXISTS ${src}`);
    rmSync(tmpPath, { force: true });
  }
}

function checkBytes(bytes: Buffer, format: FileFormat, where: string): void {
  if (bytes.length === 0) throw new NflPredError("CONTRACT", `${where}: empty file`, { file: where });
  let text: Buffer = bytes;
  if (format === "csv.gz") {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      throw new NflPredError(
        "CONTRACT",
        `${where}: not gzip data${looksLikeHtml(bytes) ? " (got an HTML page)" : ""}`,
        { file: where },
      );
    }
    try {
      text = gunzipSync(bytes);
    } catch (cause) {
      throw new NflPredError(
        "CONTRACT",
        `${where}: truncated or corrupt gzip (${(cause as Error).message})`,
        { file: where, cause },
      );
    }
  }
  if (format === "parquet") {
    const magic = "PAR1";
    if (bytes.subarray(0, 4).toString() !== magic || bytes.subarray(-4).toString() !== magic) {
      throw new NflPredError(
        "CONTRACT",
        `${where}: not a complete Parquet file${looksLikeHtml(bytes) ? " (got an HTML page)" : ""}`,
        { file: where },
      );
    }
    return;
  }
  if (looksLikeHtml(text))
    throw new NflPredError("CONTRACT", `${where}: got an HTML page instead of CSV`, { file: where });
  if (text.toString("utf8", 0, 4096).trim() === "")
    throw new NflPredError("CONTRACT", `${where}: empty file`, { file: where });
}

function looksLikeHtml(b: Buffer): boolean {
  const head = b.toString("utf8", 0, 512).trimStart().toLowerCase();
  return head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<?xml");
}

function castExpr(col: string, type: ColumnDef["type"]): string {
  const c = `"${col}"`;
  switch (type) {
    case "VARCHAR":
      return `NULLIF(trim(CAST(${c} AS VARCHAR)), '')`;
    case "INTEGER":
      // TRY_CAST twice: an out-of-range value ('1e10') must fail the contract check, not abort the query.
      return `TRY_CAST(round(TRY_CAST(${c} AS DOUBLE)) AS INTEGER)`;
    default:
      return `TRY_CAST(${c} AS ${type})`;
  }
}

const NUMERIC_SOURCE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** A typed (Parquet) source column whose cast to the table type always succeeds needs no row check. */
function castCannotFail(types: readonly { column_name: string; data_type: string }[], c: ColumnDef): boolean {
  const from = types.find((t) => t.column_name === c.name)?.data_type ?? "VARCHAR";
  if (from === c.type) return true;
  return c.type === "DOUBLE" && NUMERIC_SOURCE.test(from);
}

async function checkTypes(
  db: Database,
  src: string,
  cols: readonly ColumnDef[],
  where: string,
  file: string,
) {
  const typed = cols.filter((c) => c.type !== "VARCHAR");
  if (typed.length === 0) return;
  // The failed-cast test comes first: it is rarely true, so DuckDB renders a value as text only for those rows.
  const bad = (c: ColumnDef) =>
    `${castExpr(c.name, c.type)} IS NULL AND "${c.name}" IS NOT NULL AND trim(CAST("${c.name}" AS VARCHAR)) NOT IN ('', 'NA')`;
  const sql = `SELECT ${typed.map((c, i) => `first(CAST("${c.name}" AS VARCHAR)) FILTER (WHERE ${bad(c)}) AS b${i}`).join(", ")} FROM ${src}`;
  const row = (await db.one(sql)) ?? {};
  for (const [i, c] of typed.entries()) {
    const value = row[`b${i}`];
    if (value !== null && value !== undefined) {
      throw new NflPredError(
        "CONTRACT",
        `${where}: column ${c.name} expects ${c.type}, found '${String(value).slice(0, 40)}'`,
        {
          file,
          column: c.name,
          value: String(value),
        },
      );
    }
  }
}

function teamExpr(inner: string): string {
  const cases = Object.entries(TEAM_ALIASES)
    .map(([from, to]) => `WHEN '${from}' THEN '${to}'`)
    .join(" ");
  return `CASE ${inner} ${cases} ELSE ${inner} END`;
}

const FALLBACK_KICKOFF = `CASE weekday WHEN 'Monday' THEN '21:00' WHEN 'Thursday' THEN '20:30' WHEN 'Saturday' THEN '16:30'
  WHEN 'Friday' THEN '20:00' ELSE '13:00' END`;

/** `gametime` when it is a real HH:MM clock time; empty, 'TBD' or '25:99' count as unknown (estimated). */
const GAMETIME = `CASE WHEN regexp_full_match(trim(CAST("gametime" AS VARCHAR)), '([01]?[0-9]|2[0-3]):[0-5][0-9]')
  THEN trim(CAST("gametime" AS VARCHAR)) END`;

function columnExpr(file: SourceFile, c: ColumnDef, present: ReadonlySet<string>): string {
  const contract = CONTRACTS[file.dataset];
  const derived = (DERIVED_COLUMNS[file.dataset] ?? []).some((d) => d.name === c.name);
  if (derived) {
    if (c.name.endsWith("_orig")) {
      const base = c.name.slice(0, -"_orig".length);
      return present.has(base) ? castExpr(base, "VARCHAR") : "NULL::VARCHAR";
    }
    switch (c.name) {
      case "kickoff_utc":
        return `timezone('America/New_York', CAST(TRY_CAST("gameday" AS DATE) AS TIMESTAMP) + CAST(coalesce(${GAMETIME}, ${FALLBACK_KICKOFF}) || ':00' AS INTERVAL))`;
      case "kickoff_estimated":
        return `(${GAMETIME}) IS NULL`;
      case "neutral_site":
        return `lower(trim(CAST("location" AS VARCHAR))) = 'neutral'`;
      default:
        throw new Error(`no expression for derived column ${c.name}`);
    }
  }
  if (!present.has(c.name)) {
    if (c.name === contract.seasonColumn && file.season !== null) return `${file.season}::INTEGER`;
    return `NULL::${c.type}`;
  }
  const base = castExpr(c.name, c.type);
  if (contract.teamColumns.includes(c.name)) return teamExpr(base);
  if (file.dataset === "schedules" && (c.name === "roof" || c.name === "surface")) return `lower(${base})`;
  if (file.dataset === "schedules" && c.name === "gametime") return base;
  return base;
}

function seasonWhere(file: SourceFile, seasons: (number | null)[], present: ReadonlySet<string>): string {
  const col = CONTRACTS[file.dataset].seasonColumn;
  if (col === null || !present.has(col)) return "";
  const list = seasons.filter((s): s is number => s !== null);
  if (list.length === 0) return "";
  return `WHERE ${castExpr(col, "INTEGER")} IN (${list.join(", ")})`;
}

async function commit(db: Database, staged: readonly Staged[], now: number): Promise<void> {
  if (staged.length === 0) return;
  const pulledAt = new Date(now).toISOString();
  await db.transaction(async () => {
    for (const s of staged) {
      const table = s.file.dataset;
      const cols = tableColumns(table)
        .map((c) => `"${c.name}"`)
        .join(", ");
      const seasons = s.seasons.filter((x): x is number => x !== null);
      if (seasons.length > 0) await db.run(`DELETE FROM ${table} WHERE season IN (${seasons.join(", ")})`);
      else await db.run(`DELETE FROM ${table}`);
      const stage = parquetOf(s.tmpRaw);
      await db.run(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${stage}`);
      for (const season of s.seasons) {
        const n = await db.one<{ n: number }>(
          season === null
            ? `SELECT count(*) AS n FROM ${stage}`
            : `SELECT count(*) AS n FROM ${stage} WHERE season = ?`,
          season === null ? [] : [season],
        );
        await db.run(`INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ, false)`, [
          table,
          season,
          s.url,
          s.format,
          s.sha256,
          s.etag,
          s.bytes,
          n?.n ?? 0,
          s.missingColumns.join(",") || null,
          s.rawPath,
          pulledAt,
        ]);
      }
    }
  });
}

async function countRows(db: Database, req: IngestRequest): Promise<IngestSummary["rowsBySeason"]> {
  const out: IngestSummary["rowsBySeason"] = [];
  for (const dataset of req.datasets) {
    if (dataset === "teams") {
      const r = await db.one<{ n: number }>("SELECT count(*) AS n FROM teams");
      out.push({ dataset, season: null, rows: r?.n ?? 0 });
      continue;
    }
    const rows = await db.all<{ season: number; n: number }>(
      `SELECT season, count(*) AS n FROM ${dataset} WHERE season IN (${req.seasons.join(", ")}) GROUP BY season ORDER BY season`,
    );
    for (const r of rows) out.push({ dataset, season: r.season, rows: r.n });
  }
  return out;
}

function parquetOf(path: string): string {
  return `read_parquet('${sqlPath(path)}')`;
}

function sqlPath(p: string): string {
  return p.replaceAll("'", "''");
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}
