import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { NflPredError } from "../domain/index.ts";
import { type Database, lockError, openDatabase, type Row, type SqlParam } from "../storage/index.ts";

/** The read-only view a page loader gets: parameterised queries plus which tables and columns exist. */
export interface ReadDb {
  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  one<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  hasTable(table: string): boolean;
  hasColumn(table: string, column: string): boolean;
}

const ALIAS = "nfl";
const MAX_CACHED = 512;

/** Changes whenever a writer commits (WAL) or checkpoints (main file); null when there is no file. */
function signature(path: string): string | null {
  const part = (p: string) => {
    try {
      const st = statSync(p);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return "-";
    }
  };
  const main = part(path);
  return main === "-" ? null : `${main}|${part(`${path}.wal`)}`;
}

/**
 * Read-only access to the DuckDB file for the dashboard.
 *
 * The weekly jobs need the write lock, and DuckDB refuses it while any other process has the file
 * open, even read-only. So the file is ATTACHed read-only to an in-memory instance only for the length of
 * a request that misses the cache, and DETACHed after it (an attach costs ~10 ms, a fresh instance
 * ~50 ms). Query results are cached until the file or its WAL changes, so repeated views of an
 * unchanged database do not touch it at all. Requests are answered one at a time.
 */
export class ReadOnlyStore {
  private queue: Promise<unknown> = Promise.resolve();
  private cacheKey: string | null = null;
  private readonly cache = new Map<string, Row[]>();

  private constructor(
    readonly path: string,
    private readonly mem: Database,
    private readonly lockWaitMs: number,
  ) {}

  static async create(path: string, opts: { lockWaitMs?: number } = {}): Promise<ReadOnlyStore> {
    const mem = await openDatabase(":memory:", { migrate: false });
    // The dashboard's queries are small: fanning them out over threads costs more than it saves.
    await mem.run("SET threads = 1");
    return new ReadOnlyStore(path, mem, opts.lockWaitMs ?? 1500);
  }

  /**
   * Runs `fn` with read access, or with `null` when the database file does not exist yet. Throws
   * LOCKED when a writer keeps the file longer than the lock wait.
   */
  read<T>(fn: (db: ReadDb | null) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.withAccess(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    this.mem.close();
  }

  private async withAccess<T>(fn: (db: ReadDb | null) => Promise<T>): Promise<T> {
    const sig = signature(this.path);
    if (sig === null) return fn(null);
    if (sig !== this.cacheKey) {
      this.cache.clear();
      this.cacheKey = sig;
    }
    let attached = false;
    const query = async (sql: string, params: readonly SqlParam[] = []): Promise<Row[]> => {
      const key = `${sql}\u0000${JSON.stringify(params, (_, v) => (typeof v === "bigint" ? String(v) : v))}`;
      const hit = this.cache.get(key);
      if (hit) {
        this.cache.delete(key);
        this.cache.set(key, hit);
        return [...hit];
      }
      if (!attached) {
        await this.attach();
        attached = true;
      }
      const rows = await this.mem.all(sql, params);
      this.cache.set(key, rows);
      if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      return [...rows];
    };
    try {
      const cols = await query(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = ?",
        [ALIAS],
      );
      const schema = new Map<string, Set<string>>();
      for (const c of cols) {
        const table = String(c.table_name);
        const set = schema.get(table) ?? new Set<string>();
        set.add(String(c.column_name));
        schema.set(table, set);
      }
      return await fn({
        all: async <R extends Row>(sql: string, params?: readonly SqlParam[]) =>
          (await query(sql, params)) as R[],
        one: async <R extends Row>(sql: string, params?: readonly SqlParam[]) =>
          (await query(sql, params))[0] as R | undefined,
        hasTable: (t) => schema.has(t),
        hasColumn: (t, c) => schema.get(t)?.has(c) ?? false,
      });
    } finally {
      if (attached) {
        await this.mem.run("USE memory");
        await this.mem.run(`DETACH DATABASE IF EXISTS ${ALIAS}`);
      }
    }
  }

  private async attach(): Promise<void> {
    const deadline = Date.now() + this.lockWaitMs;
    // ATTACH takes no bound parameters; the path comes from the config, never from a request.
    const sql = `ATTACH '${this.path.replaceAll("'", "''")}' AS ${ALIAS} (READ_ONLY)`;
    for (;;) {
      try {
        await this.mem.run("USE memory");
        await this.mem.run(`DETACH DATABASE IF EXISTS ${ALIAS}`);
        await this.mem.run(sql);
        await this.mem.run(`USE ${ALIAS}`);
        return;
      } catch (e) {
        const lock = lockError(this.path, e);
        if (!lock) {
          throw new NflPredError("SCHEMA", `cannot open database ${this.path}: ${(e as Error).message}`, {
            file: this.path,
            cause: e,
          });
        }
        if (Date.now() >= deadline) throw lock;
        await sleep(100);
      }
    }
  }
}
