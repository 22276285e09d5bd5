import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import { NflPredError } from "../domain/index.ts";
import { applyMigrations } from "./migrations.ts";

export type SqlParam = string | number | boolean | null | bigint;
export type Row = Record<string, unknown>;
export type AppendType = "VARCHAR" | "DOUBLE" | "INTEGER" | "BOOLEAN";

export interface OpenOptions {
  readonly readOnly?: boolean;
  /** How long to keep retrying while another process holds the lock (0 = fail at once). */
  readonly lockWaitMs?: number;
  /** Skip migrations (used by `restore` to inspect a file before adopting it). */
  readonly migrate?: boolean;
  /** DuckDB worker threads; null or absent leaves DuckDB's default (one per core). */
  readonly threads?: number | null;
}

/**
 * The one owner of DuckDB. Numbers come back as JS numbers (BIGINT is narrowed), timestamps as ISO strings.
 * @example const db = await openDatabase("data/nfl.duckdb"); await db.all("SELECT 1 AS x");
 */
export class Database {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<Database> {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    if (opts.readOnly && path !== ":memory:" && !existsSync(path)) {
      throw new NflPredError(
        "NOT_FOUND",
        `database ${path} does not exist; run \`npx nfl-pred ingest\` first`,
        {
          file: path,
        },
      );
    }
    const deadline = Date.now() + (opts.lockWaitMs ?? 0);
    for (;;) {
      try {
        const instance = await DuckDBInstance.create(path, {
          ...(opts.readOnly ? { access_mode: "READ_ONLY" } : {}),
          ...(opts.threads ? { threads: String(opts.threads) } : {}),
        });
        const conn = await instance.connect();
        await conn.run("SET TimeZone = 'UTC'");
        const db = new Database(path, instance, conn);
        if (opts.migrate !== false && !opts.readOnly) await applyMigrations(db);
        return db;
      } catch (e) {
        const lock = lockError(path, e);
        if (!lock) throw e;
        if (Date.now() >= deadline) throw lock;
        await sleep(200);
      }
    }
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params as DuckDBValue[]);
    return reader.getRowObjectsJS().map((r) => normalizeRow(r)) as T[];
  }

  async one<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    await this.conn.run(sql, params as DuckDBValue[]);
  }

  /** Runs `fn` in a transaction: all of it is stored, or none. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.run("BEGIN TRANSACTION");
    try {
      const out = await fn();
      await this.conn.run("COMMIT");
      return out;
    } catch (e) {
      await this.conn.run("ROLLBACK");
      throw e;
    }
  }

  /**
   * Bulk-loads rows into an existing table with DuckDB's appender (far faster than INSERTs). Columns are
   * given in table order with their types; null/undefined/NaN append NULL.
   */
  async appendRows(
    table: string,
    types: readonly AppendType[],
    rows: readonly (readonly unknown[])[],
  ): Promise<void> {
    const appender = await this.conn.createAppender(table);
    try {
      for (const row of rows) {
        for (const [i, type] of types.entries()) {
          const v = row[i];
          if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)))
            appender.appendNull();
          else if (type === "DOUBLE") appender.appendDouble(Number(v));
          else if (type === "INTEGER") appender.appendInteger(Number(v));
          else if (type === "BOOLEAN") appender.appendBoolean(Boolean(v));
          else appender.appendVarchar(String(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async tableExists(name: string): Promise<boolean> {
    const row = await this.one("SELECT 1 AS x FROM information_schema.tables WHERE table_name = ?", [name]);
    return row !== undefined;
  }

  async columns(table: string): Promise<string[]> {
    const rows = await this.all<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
      [table],
    );
    return rows.map((r) => r.column_name);
  }

  async checkpoint(): Promise<void> {
    await this.conn.run("CHECKPOINT");
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

export const openDatabase = Database.open.bind(Database);

function normalizeRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = normalizeValue(v);
  return out;
}

function normalizeValue(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normalizeValue);
  if (v && typeof v === "object" && v.constructor === Object)
    return normalizeRow(v as Record<string, unknown>);
  return v;
}

const LOCK_RE = /Could not set lock on file "([^"]+)": Conflicting lock is held in (.+?) \(PID (\d+)\)/;

/** Turns DuckDB's lock message into the operator's error (exit 3), naming the file and holder. */
export function lockError(path: string, e: unknown): NflPredError | undefined {
  const msg = e instanceof Error ? e.message : String(e);
  if (!msg.includes("Could not set lock")) return undefined;
  const m = LOCK_RE.exec(msg);
  const file = m?.[1] ?? path;
  const pid = m?.[3];
  const holder = pid ? `process ${pid} (${m?.[2]}${describePid(pid)})` : "another process";
  return new NflPredError("LOCKED", `database ${file} is locked by ${holder}`, {
    file,
    hint: `wait for it to finish, or inspect it with \`fuser ${file}\` and stop it safely`,
    cause: e,
  });
}

function describePid(pid: string): string {
  try {
    const args = execFileSync("ps", ["-o", "args=", "-p", pid], { encoding: "utf8", timeout: 1000 }).trim();
    return args ? `: ${args.slice(0, 120)}` : "";
  } catch {
    return "";
  }
}
