import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isNflPredError } from "../domain/index.ts";
import { openDatabase, SCHEMA_VERSION } from "../storage/index.ts";
import {
  createBackup,
  listBackups,
  pruneBackups,
  restoreDatabase,
  sweepBackupDir,
  verifyBackup,
} from "./backup.ts";

const T0 = Date.UTC(2024, 9, 20, 12, 0, 0);

async function makeDb(dir: string, rows: number): Promise<string> {
  const path = join(dir, "data", "nfl.duckdb");
  const db = await openDatabase(path);
  await db.run("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR, j JSON)");
  await db.run(`INSERT INTO t SELECT i, 'v' || i, '{"k": 1}' FROM range(${rows}) r(i)`);
  db.close();
  return path;
}

async function count(path: string, table = "t"): Promise<number> {
  const db = await openDatabase(path, { readOnly: true });
  try {
    return (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n ?? -1;
  } finally {
    db.close();
  }
}

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("createBackup", () => {
  it("writes a complete copy under nfl_<UTC>.duckdb with a sha256sum-style checksum", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-bk-"));
    const dbPath = await makeDb(dir, 5000);
    const db = await openDatabase(dbPath, { readOnly: true });
    const made = await createBackup(db, join(dir, "backups"), T0);
    const again = await createBackup(db, join(dir, "backups"), T0);
    db.close();
    expect(made.path).toBe(join(dir, "backups", "nfl_20241020T120000Z.duckdb"));
    expect(again.path).toBe(join(dir, "backups", "nfl_20241020T120000Z_2.duckdb"));
    expect(readFileSync(`${made.path}.sha256`, "utf8")).toBe(
      `${sha(made.path)}  nfl_20241020T120000Z.duckdb\n`,
    );
    expect(await count(made.path)).toBe(5000);
    const ck = await openDatabase(made.path, { readOnly: true });
    const pk = await ck.all(
      "SELECT constraint_type FROM information_schema.table_constraints WHERE table_name = 't'",
    );
    ck.close();
    expect(pk.map((r) => r.constraint_type)).toContain("PRIMARY KEY");
    expect(
      readdirSync(join(dir, "backups")).filter((f) => f.includes(".tmp-") || f.endsWith(".wal")),
    ).toEqual([]);
    expect(listBackups(join(dir, "backups")).map((b) => b.name)).toEqual([
      "nfl_20241020T120000Z_2.duckdb",
      "nfl_20241020T120000Z.duckdb",
    ]);
  });
});

describe("verifyBackup", () => {
  it("refuses a changed byte and a missing checksum, naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-bk-"));
    const dbPath = await makeDb(dir, 10);
    const db = await openDatabase(dbPath, { readOnly: true });
    const { path } = await createBackup(db, join(dir, "backups"), T0);
    db.close();
    await expect(verifyBackup(path)).resolves.toBe(sha(path));
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(path, bytes);
    await expect(verifyBackup(path)).rejects.toThrow(/does not match its sha256/);
    rmSync(`${path}.sha256`);
    await expect(verifyBackup(path)).rejects.toThrow(/has no checksum file/);
    await expect(verifyBackup(join(dir, "nope.duckdb"))).rejects.toThrow(/does not exist/);
  });
});

describe("pruneBackups and sweepBackupDir", () => {
  it("keeps the newest N and clears leftovers of dead processes only", () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-bk-"));
    for (const stamp of ["20241018T000000Z", "20241019T000000Z", "20241020T000000Z"]) {
      writeFileSync(join(dir, `nfl_${stamp}.duckdb`), stamp);
      writeFileSync(join(dir, `nfl_${stamp}.duckdb.sha256`), "x");
    }
    const removed = pruneBackups(dir, 2);
    expect(removed).toEqual([join(dir, "nfl_20241018T000000Z.duckdb")]);
    expect(existsSync(join(dir, "nfl_20241018T000000Z.duckdb.sha256"))).toBe(false);
    writeFileSync(join(dir, "nfl_20241021T000000Z.duckdb.tmp-999999999"), "partial");
    writeFileSync(join(dir, "nfl_20241021T000000Z.duckdb.tmp-999999999.wal"), "partial");
    writeFileSync(join(dir, "nfl_20241021T000000Z.duckdb.sha256"), "orphan");
    writeFileSync(join(dir, `nfl_20241022T000000Z.duckdb.tmp-${process.pid}`), "mine, in progress");
    const swept = sweepBackupDir(dir)
      .map((p) => p.slice(dir.length + 1))
      .sort();
    expect(swept).toEqual([
      "nfl_20241021T000000Z.duckdb.sha256",
      "nfl_20241021T000000Z.duckdb.tmp-999999999",
      "nfl_20241021T000000Z.duckdb.tmp-999999999.wal",
    ]);
    expect(existsSync(join(dir, `nfl_20241022T000000Z.duckdb.tmp-${process.pid}`))).toBe(true);
  });
});

describe("restoreDatabase", () => {
  it("puts the backup in place, keeps the replaced database aside and migrates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-rs-"));
    const dbPath = await makeDb(dir, 100);
    let db = await openDatabase(dbPath, { readOnly: true });
    const { path } = await createBackup(db, join(dir, "backups"), T0);
    db.close();
    db = await openDatabase(dbPath);
    await db.run("INSERT INTO t SELECT i, 'late', NULL FROM range(100, 150) r(i)");
    db.close();
    const r = await restoreDatabase({ backupPath: path, dbPath, now: T0 + 1000, lockWaitMs: 0 });
    expect(await count(dbPath)).toBe(100);
    expect(r.replacedPath).toBe(`${dbPath}.replaced-20241020T120001Z`);
    expect(await count(r.replacedPath!)).toBe(150);
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(readdirSync(join(dir, "data")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("refuses a backup from a newer schema and leaves the database alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-rs-"));
    const dbPath = await makeDb(dir, 100);
    const db = await openDatabase(dbPath);
    await db.run("INSERT INTO schema_version VALUES (?, 'from the future', now())", [SCHEMA_VERSION + 1]);
    const { path } = await createBackup(db, join(dir, "backups"), T0);
    await db.run("DELETE FROM schema_version WHERE version > ?", [SCHEMA_VERSION]);
    db.close();
    let err: unknown;
    try {
      await restoreDatabase({ backupPath: path, dbPath, now: T0, lockWaitMs: 0 });
    } catch (e) {
      err = e;
    }
    expect(isNflPredError(err) && err.code).toBe("SCHEMA");
    expect(String((err as Error).message)).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer`));
    expect(readdirSync(join(dir, "data")).sort()).toEqual(["nfl.duckdb"]);
  });
});
