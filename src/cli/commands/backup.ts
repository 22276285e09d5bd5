import type { Command } from "commander";
import { createBackup, pruneBackups } from "../../registry/index.ts";
import { parseInteger } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";

interface BackupOptions extends CommonOptions {
  readonly keep: string;
}

export function registerBackup(program: Command, rt: Runtime): void {
  program
    .command("backup")
    .description(
      "copy the database to <backups_dir>/nfl_<UTC>.duckdb with a .sha256, keeping the newest --keep",
    )
    .option("--keep <n>", "how many backups to keep (older ones are deleted)", "14")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
The copy is made by DuckDB (COPY FROM DATABASE into a new file) while this command holds the database
open read-only, so no writer can change it meanwhile: a consistent snapshot. It is written under a temp
name, its checksum written, then renamed: a backup visible under its final name is always complete.
Temp files of an interrupted backup are removed by the next one. Verify by hand with
\`cd backups && sha256sum -c nfl_<UTC>.duckdb.sha256\`; restore with \`nfl-pred restore PATH\`.`,
    )
    .action(async (opts: BackupOptions) => {
      const cfg = configFor(rt, opts);
      const keep = parseInteger(opts.keep, "--keep", 1, 10_000);
      const dir = cfg.paths.backups_dir;
      const made = await withDatabase(cfg, (db) => createBackup(db, dir, rt.now()), { readOnly: true });
      for (const s of made.swept) rt.out(`Removed leftover of an interrupted backup: ${s}`);
      const pruned = pruneBackups(dir, keep);
      rt.out(`Backup: ${made.path} (${(made.bytes / 1e6).toFixed(1)} MB, sha256 ${made.sha256})`);
      for (const p of pruned) rt.out(`Deleted old backup ${p} (keeping ${keep})`);
    });
}
