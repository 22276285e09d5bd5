import { createRequire } from "node:module";
import { type Logger, pino } from "pino";
import { type Config, loadConfig } from "../config/index.ts";
import { type Database, openDatabase } from "../storage/index.ts";

/** The process's effects, created once in main and handed to every command. */
export interface Runtime {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => number;
  readonly out: (line?: string) => void;
  readonly log: Logger;
  readonly interactive: boolean;
  readonly version: string;
}

export interface CommonOptions {
  readonly config?: string;
}

export function createRuntime(argvLogLevel?: string): Runtime {
  const require = createRequire(import.meta.url);
  const pkg = require("../../package.json") as { version: string };
  const level = argvLogLevel ?? process.env.NFL_PRED_LOG_LEVEL ?? "info";
  return {
    cwd: process.cwd(),
    env: process.env,
    now: () => Date.now(),
    out: (line = "") => process.stdout.write(`${line}\n`),
    log: pino({ level, base: { app: "nfl-pred" } }, pino.destination({ fd: 2, sync: true })),
    interactive: Boolean(process.stderr.isTTY),
    version: pkg.version,
  };
}

export function configFor(rt: Runtime, opts: CommonOptions): Config {
  return loadConfig({ path: opts.config, cwd: rt.cwd, env: rt.env });
}

/** Opens the configured database, runs `fn`, and always closes it. */
export async function withDatabase<T>(
  cfg: Config,
  fn: (db: Database) => Promise<T>,
  opts: { readOnly?: boolean; lockWaitMs?: number } = {},
): Promise<T> {
  const db = await openDatabase(cfg.paths.duckdb_path, {
    readOnly: opts.readOnly ?? false,
    lockWaitMs: opts.lockWaitMs ?? Number(process.env.NFL_PRED_LOCK_WAIT_MS ?? 0),
    threads: cfg.storage.threads,
  });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
