import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase, SCHEMA_VERSION } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

/** A database written by a newer nfl-pred: refused with the fix, never migrated backwards or altered. */
describe("a database from a newer schema version", () => {
  const cwd = tempDir("nflpred-schema-");
  const cli = (...args: string[]) => runCli(args, { cwd });

  beforeAll(async () => {
    const r = await cli("ingest", "--seasons", "2023", "--datasets", "schedules");
    expect(r.code, r.stderr).toBe(0);
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"));
    await db.run("INSERT INTO schema_version VALUES (?, 'from a newer nfl-pred', now())", [
      SCHEMA_VERSION + 1,
    ]);
    db.close();
  });

  it("a writing command exits 2 naming both versions and how to fix it", async () => {
    const r = await cli("build-features", "--seasons", "2023");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `has schema version ${SCHEMA_VERSION + 1}, newer than this nfl-pred (${SCHEMA_VERSION})`,
    );
    expect(r.stderr).toMatch(
      /hint: upgrade nfl-pred, or restore a backup made by this version \(`nfl-pred restore`\)/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
    const rows = await db.all("SELECT count(*) AS n FROM features");
    db.close();
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it("a backup of it cannot be restored by this version", async () => {
    const b = await cli("backup");
    expect(b.code, b.stderr).toBe(0);
    const path = /Backup: (\S+)/.exec(b.stdout)?.[1] ?? "";
    const r = await cli("restore", path);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this nfl-pred`));
  });
});
