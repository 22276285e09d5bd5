import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { holdDatabase, releaseHolders } from "../helpers/lock.ts";
import { tempDir } from "../helpers/mirror.ts";

afterEach(releaseHolders);

async function scheduleCount(path: string): Promise<number> {
  const db = await openDatabase(path, { readOnly: true });
  try {
    return (await db.one<{ n: number }>("SELECT count(*) AS n FROM schedules"))?.n ?? -1;
  } finally {
    db.close();
  }
}

describe("backup and restore", () => {
  const cwd = tempDir("nflpred-bkr-");
  const dbPath = join(cwd, "data", "nfl.duckdb");
  const backups = join(cwd, "backups");
  const cli = (...args: string[]) => runCli(args, { cwd });
  const listed = () => readdirSync(backups).sort();
  let full = 0;

  beforeAll(async () => {
    const r = await cli("ingest", "--seasons", "2023", "--datasets", "schedules,teams");
    expect(r.code, r.stderr).toBe(0);
    full = await scheduleCount(dbPath);
    expect(full).toBeGreaterThan(250);
  });

  it("writes nfl_<UTC>.duckdb with a sha256sum-compatible checksum and keeps the newest --keep", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await cli("backup", "--keep", "2");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Backup: .*backups\/nfl_\d{8}T\d{6}Z(_\d+)?\.duckdb/);
    }
    const files = listed();
    expect(files.filter((f) => f.endsWith(".duckdb"))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith(".sha256"))).toHaveLength(2);
    for (const f of files.filter((x) => x.endsWith(".duckdb"))) {
      const [hash, name] = readFileSync(join(backups, `${f}.sha256`), "utf8")
        .trim()
        .split(/\s+/);
      expect(name).toBe(f);
      expect(hash).toBe(
        createHash("sha256")
          .update(readFileSync(join(backups, f)))
          .digest("hex"),
      );
      expect(await scheduleCount(join(backups, f))).toBe(full);
    }
  });

  it("restores the latest backup after a bad change and keeps the replaced database aside", async () => {
    const latest = listed()
      .filter((f) => f.endsWith(".duckdb"))
      .at(-1)!;
    const del = await cli("sql", "DELETE FROM schedules WHERE week > 10");
    expect(del.code, del.stderr).toBe(0);
    const damaged = await scheduleCount(dbPath);
    expect(damaged).toBeLessThan(full);
    const r = await cli("restore", join("backups", latest));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Verified .* \(sha256 [0-9a-f]{64}\)/);
    expect(await scheduleCount(dbPath)).toBe(full);
    const aside = readdirSync(join(cwd, "data")).filter((f) => f.startsWith("nfl.duckdb.replaced-"));
    expect(aside).toHaveLength(1);
    expect(r.stdout).toContain(`kept at ${join(cwd, "data", aside[0]!)}`);
    expect(await scheduleCount(join(cwd, "data", aside[0]!))).toBe(damaged);
  });

  it("refuses a backup whose bytes do not match its checksum, leaving the database alone", async () => {
    const latest = join(
      backups,
      listed()
        .filter((f) => f.endsWith(".duckdb"))
        .at(-1)!,
    );
    const copy = join(backups, "nfl_20200101T000000Z.duckdb");
    const bytes = readFileSync(latest);
    writeFileSync(`${copy}.sha256`, readFileSync(`${latest}.sha256`, "utf8"));
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(copy, bytes);
    const before = readdirSync(join(cwd, "data")).sort();
    const r = await cli("restore", copy);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not match its sha256/);
    expect(r.stderr).toMatch(/hint: .*older backup/);
    expect(readdirSync(join(cwd, "data")).sort()).toEqual(before);
    expect(await scheduleCount(dbPath)).toBe(full);
  });

  it("waits for or fails on a running command's lock, never swapping under it", async () => {
    const latest = join(
      backups,
      listed()
        .filter((f) => f.endsWith(".duckdb"))
        .at(-1)!,
    );
    const holder = await holdDatabase(dbPath);
    const r = await runCli(["restore", latest], { cwd, env: { NFL_PRED_LOCK_WAIT_MS: "0" } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`is locked by process ${holder.pid}`));
    const backup = await runCli(["backup"], { cwd, env: { NFL_PRED_LOCK_WAIT_MS: "0" } });
    expect(backup.code).toBe(3);
    holder.kill("SIGTERM");
    expect(readdirSync(join(cwd, "data")).filter((f) => f.startsWith("nfl.duckdb.replaced-"))).toHaveLength(
      1,
    );
  });
});
