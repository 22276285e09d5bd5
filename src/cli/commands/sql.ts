import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { formatTable, toCsv } from "../table.ts";

interface SqlOptions extends CommonOptions {
  readonly format: string;
}

export function registerSql(program: Command, rt: Runtime): void {
  program
    .command("sql")
    .description("run SQL against the DuckDB database (stands in for the runbook's `duckdb` CLI)")
    .argument("<query>", "SQL statement")
    .option("--format <format>", "table | csv | json", "table")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (query: string, opts: SqlOptions) => {
      if (!["table", "csv", "json"].includes(opts.format)) {
        throw new NflPredError("USAGE", `--format: expected table, csv or json, got '${opts.format}'`, {
          flag: "--format",
        });
      }
      const cfg = configFor(rt, opts);
      const rows = await withDatabase(cfg, async (db) => {
        try {
          return await db.all(query);
        } catch (cause) {
          throw new NflPredError("USAGE", `SQL error: ${(cause as Error).message}`, { cause, value: query });
        }
      });
      if (opts.format === "json") rt.out(JSON.stringify(rows, null, 2));
      else if (opts.format === "csv") process.stdout.write(toCsv(rows));
      else rt.out(rows.length === 0 ? "(no rows)" : formatTable(rows));
    });
}
