import { createHash } from "node:crypto";
import {
  copyFileSync,
  createReadStream,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { NflPredError } from "../domain/index.ts";
import { type Database, lockError, openDatabase, SCHEMA_VERSION } from "../storage/index.ts";
import { removeStaleTemps, writeAtomic } from "./artifact.ts";

/** `nfl_<UTC yyyymmddThhmmssZ>[_n].duckdb` */
const BACKUP_RE = /^nfl_(\d{8}T\d{6}Z)(?:_(\d+))?\.duckdb$/;

export interface BackupFile {
  readonly path: string;
  readonly name: string;
  /** When the copy was taken, from its name. */
  readonly takenAt: number;
  readonly bytes: number;
  /** The `.sha256` file beside it exists. */
  readonly hasChecksum: boolean;
}

/** `20241013T170000Z` for an instant (UTC, whole seconds). */
export function compactUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

function parseCompactUtc(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

/** Backups in `dir`, newest first. Temp files and stray checksums are not backups and are not listed. */
export function listBackups(dir: string): BackupFile[] {
  if (!existsSync(dir)) return [];
  const out: BackupFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = BACKUP_RE.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    out.push({
      path,
      name,
      takenAt: parseCompactUtc(m[1]!),
      bytes: statSync(path).size,
      hasChecksum: existsSync(`${path}.sha256`),
    });
  }
  const seq = (n: string) => Number(BACKUP_RE.exec(n)?.[2] ?? 0);
  return out.sort((a, b) => b.takenAt - a.takenAt || seq(b.name) - seq(a.name));
}

/** SHA-256 of a file, streamed (database files can be large). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (d) => h.update(d))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** Checks a backup against its `.sha256`; throws a clear error naming the file otherwise. */
export async function verifyBackup(path: string): Promise<string> {
  if (!existsSync(path)) {
    throw new NflPredError("NOT_FOUND", `backup ${path} does not exist`, {
      file: path,
      hint: "list backups with `ls -lt backups/`",
    });
  }
  const sidecar = `${path}.sha256`;
  if (!existsSync(sidecar)) {
    throw new NflPredError("INTEGRITY", `backup ${path} has no checksum file ${basename(sidecar)}`, {
      file: path,
      hint: "a backup without its checksum cannot be verified; pick another (`ls -lt backups/`)",
    });
  }
  const recorded = readFileSync(sidecar, "utf8").trim().split(/\s+/)[0] ?? "";
  const actual = await sha256File(path);
  if (recorded !== actual) {
    throw new NflPredError(
      "INTEGRITY",
      `backup ${path} does not match its sha256 (${recorded} recorded, ${actual} found)`,
      { file: path, hint: "the copy is damaged; restore an older backup (`ls -lt backups/`)" },
    );
  }
  return actual;
}

/**
 * Removes what an interrupted backup leaves: temp copies (`*.tmp-<pid>`, with their `.wal`) of dead
 * processes and checksum files whose backup never appeared. Returns the removed paths.
 */
export function sweepBackupDir(dir: string): string[] {
  const removed = removeStaleTemps(dir);
  if (!existsSync(dir)) return removed;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".sha256")) continue;
    const target = name.slice(0, -".sha256".length);
    if (BACKUP_RE.test(target) && !existsSync(join(dir, target))) {
      rmSync(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Copies the open database into `dir/nfl_<UTC>.duckdb` with DuckDB's own `COPY FROM DATABASE` (a
 * consistent snapshot: no writer can hold the file meanwhile), under a temp name first. The checksum is
 * written before the rename, so a visible backup always has one.
 */
export async function createBackup(
  db: Database,
  dir: string,
  now: number,
): Promise<{ path: string; sha256: string; bytes: number; swept: string[] }> {
  mkdirSync(dir, { recursive: true });
  const swept = sweepBackupDir(dir);
  const stamp = compactUtc(now);
  let name = `nfl_${stamp}.duckdb`;
  for (let i = 2; existsSync(join(dir, name)); i++) name = `nfl_${stamp}_${i}.duckdb`;
  const path = join(dir, name);
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}.wal`, { force: true });
  const source = (await db.one<{ d: string }>("SELECT current_database() AS d"))?.d ?? "main";
  const alias = `nflpred_backup_${process.pid}`;
  try {
    await db.run(`ATTACH ${sqlString(tmp)} AS ${alias} (READ_WRITE)`);
    try {
      await db.run(`COPY FROM DATABASE "${source.replaceAll('"', '""')}" TO ${alias}`);
      await db.run(`CHECKPOINT ${alias}`);
    } finally {
      await db.run(`DETACH ${alias}`);
    }
    const sha256 = await sha256File(tmp);
    writeAtomic(`${path}.sha256`, `${sha256}  ${name}\n`);
    renameSync(tmp, path);
    return { path, sha256, bytes: statSync(path).size, swept };
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
  }
}

/** Deletes the oldest backups beyond the newest `keep` (with their checksums); returns the removed files. */
export function pruneBackups(dir: string, keep: number): string[] {
  const removed: string[] = [];
  for (const b of listBackups(dir).slice(keep)) {
    rmSync(`${b.path}.sha256`, { force: true });
    rmSync(b.path, { force: true });
    removed.push(b.path);
  }
  return removed;
}

export interface RestoreResult {
  readonly restored: string;
  readonly sha256: string;
  /** Where the database that was in place now lives (null when there was none). */
  readonly replacedPath: string | null;
  readonly schemaVersion: number;
  readonly migrationsApplied: number;
  /** Why the replaced database could not be checkpointed first, if it could not. */
  readonly note: string | null;
}

/**
 * Puts a verified backup in place of the database:
 * 1. checksum verified; the copy beside the database verified again and opened read-only (schema
 *    version no newer than this nfl-pred);
 * 2. the live database checkpointed (so no WAL of it can replay into the restored file) under its lock:
 *    a running command makes this wait or fail with the lock message;
 * 3. the live file hard-linked to `<db>.replaced-<UTC>`, then the copy renamed over it: at every instant
 *    the database path holds either the old or the restored database;
 * 4. pending migrations applied.
 */
export async function restoreDatabase(opts: {
  backupPath: string;
  dbPath: string;
  now: number;
  lockWaitMs: number;
}): Promise<RestoreResult> {
  const { backupPath, dbPath } = opts;
  const sha256 = await verifyBackup(backupPath);
  mkdirSync(dirname(dbPath), { recursive: true });
  removeStaleTemps(dirname(dbPath), `${basename(dbPath)}.restore`);
  const tmp = `${dbPath}.restore.tmp-${process.pid}`;
  try {
    copyFileSync(backupPath, tmp);
    if ((await sha256File(tmp)) !== sha256) {
      throw new NflPredError("INTEGRITY", `copying ${backupPath} to ${tmp} changed its bytes`, {
        file: tmp,
        hint: "check free disk space and the file system, then run restore again",
      });
    }
    const version = await schemaVersionOf(tmp);
    if (version > SCHEMA_VERSION) {
      throw new NflPredError(
        "SCHEMA",
        `backup ${backupPath} has schema version ${version}, newer than this nfl-pred (${SCHEMA_VERSION})`,
        { file: backupPath, hint: "upgrade nfl-pred, or restore an older backup" },
      );
    }
    let note: string | null = null;
    let replacedPath: string | null = null;
    if (existsSync(dbPath)) {
      note = await checkpointLive(dbPath, opts.lockWaitMs);
      replacedPath = `${dbPath}.replaced-${compactUtc(opts.now)}`;
      for (let i = 2; existsSync(replacedPath); i++)
        replacedPath = `${dbPath}.replaced-${compactUtc(opts.now)}_${i}`;
      if (existsSync(`${dbPath}.wal`)) renameSync(`${dbPath}.wal`, `${replacedPath}.wal`);
      try {
        linkSync(dbPath, replacedPath);
      } catch {
        copyFileSync(dbPath, replacedPath);
      }
    }
    renameSync(tmp, dbPath);
    const db = await openDatabase(dbPath, { lockWaitMs: opts.lockWaitMs });
    let schemaVersion = version;
    try {
      schemaVersion =
        (await db.one<{ v: number | null }>("SELECT max(version) AS v FROM schema_version"))?.v ?? 0;
    } finally {
      db.close();
    }
    return {
      restored: backupPath,
      sha256,
      replacedPath,
      schemaVersion,
      migrationsApplied: schemaVersion - version,
      note,
    };
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
  }
}

async function schemaVersionOf(path: string): Promise<number> {
  let db: Database;
  try {
    db = await openDatabase(path, { readOnly: true, migrate: false });
  } catch (cause) {
    throw new NflPredError(
      "INTEGRITY",
      `${path} is not a readable DuckDB database: ${(cause as Error).message}`,
      {
        file: path,
        cause,
        hint: "restore another backup (`ls -lt backups/`)",
      },
    );
  }
  try {
    if (!(await db.tableExists("schema_version"))) return 0;
    return (await db.one<{ v: number | null }>("SELECT max(version) AS v FROM schema_version"))?.v ?? 0;
  } finally {
    db.close();
  }
}

/** Checkpoints the live database so its WAL is folded in; returns a note when it cannot be opened. */
async function checkpointLive(dbPath: string, lockWaitMs: number): Promise<string | null> {
  let db: Database;
  try {
    db = await openDatabase(dbPath, { migrate: false, lockWaitMs });
  } catch (e) {
    if (lockError(dbPath, e) || (e instanceof NflPredError && e.code === "LOCKED")) throw e;
    // A damaged database is the usual reason to restore: keep it aside as it is.
    return `the replaced database could not be opened (${(e as Error).message.split("\n")[0]}); kept as is`;
  }
  try {
    await db.checkpoint();
  } finally {
    db.close();
  }
  return null;
}
