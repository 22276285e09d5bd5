import { NflPredError } from "../domain/index.ts";
import type { Database } from "./db.ts";
import { MIGRATIONS } from "./schema.ts";

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Applies pending migrations, each in its own transaction; refuses a database from a newer version. */
export async function applyMigrations(db: Database): Promise<number> {
  await db.run(
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMPTZ)",
  );
  const row = await db.one<{ v: number | null }>("SELECT max(version) AS v FROM schema_version");
  const current = row?.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new NflPredError(
      "SCHEMA",
      `database ${db.path} has schema version ${current}, newer than this nfl-pred (${SCHEMA_VERSION})`,
      {
        file: db.path,
        hint: "upgrade nfl-pred, or restore a backup made by this version (`nfl-pred restore`)",
      },
    );
  }
  let applied = 0;
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await db.transaction(async () => {
      for (const sql of m.statements) await db.run(sql);
      await db.run("INSERT INTO schema_version VALUES (?, ?, now())", [m.version, m.description]);
    });
    applied++;
  }
  return applied;
}
