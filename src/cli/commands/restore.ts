import { resolve } from "node:path";
import type { Command } from "commander";
import { restoreDatabase } from "../../registry/index.ts";
import { type CommonOptions, configFor, type Runtime } from "../runtime.ts";

export function registerRestore(program: Command, rt: Runtime): void {
  program
    .command("restore")
    .description(
      "put a backup in place of the database after verifying its checksum; the old one is kept aside",
    )
    .argument("<path>", "backup file, e.g. backups/nfl_20241013T170000Z.duckdb")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
Steps: verify <path> against <path>.sha256; copy it beside the database and verify the copy; check its
schema version is not newer than this nfl-pred; checkpoint the live database (waits for, or fails on, a
running command's lock: NFL_PRED_LOCK_WAIT_MS); keep it as <db>.replaced-<UTC>; rename the copy over the
database (atomic: the path always holds the old or the restored file); apply pending migrations.
Stop scheduled jobs first: a command that opens the database during the swap sees the old or new file.`,
    )
    .action(async (path: string, opts: CommonOptions) => {
      const cfg = configFor(rt, opts);
      const r = await restoreDatabase({
        backupPath: resolve(rt.cwd, path),
        dbPath: cfg.paths.duckdb_path,
        now: rt.now(),
        lockWaitMs: Number(rt.env.NFL_PRED_LOCK_WAIT_MS ?? 0),
      });
      rt.out(`Verified ${r.restored} (sha256 ${r.sha256})`);
      if (r.note) rt.out(`note: ${r.note}`);
      if (r.replacedPath) rt.out(`The replaced database is kept at ${r.replacedPath}`);
      rt.out(
        `Restored ${cfg.paths.duckdb_path} (schema version ${r.schemaVersion}${r.migrationsApplied > 0 ? `, ${r.migrationsApplied} migration(s) applied` : ""})`,
      );
    });
}
