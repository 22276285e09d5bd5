import { spawn } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect } from "vitest";
import { parse } from "yaml";
import { readArtifact, verifyBackup } from "../../src/registry/index.ts";
import { openDatabase } from "../../src/storage/index.ts";
import { CLI_TEST_ENV } from "../helpers/cli.ts";
import { CLI, MIRROR_DIR } from "../helpers/mirror.ts";

export interface KillOutcome {
  /** The process was still running when the kill came. */
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

/** Starts the CLI and SIGKILLs it after `delayMs` unless it finished first. */
export function runAndKill(
  args: readonly string[],
  opts: { cwd: string; delayMs: number; env?: Record<string, string> },
): Promise<KillOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NFLVERSE_MIRROR: MIRROR_DIR, ...CLI_TEST_ENV, ...opts.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.exitCode === null && child.signalCode === null;
      if (killed) child.kill("SIGKILL");
    }, opts.delayMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ killed, code, stderr });
    });
  });
}

/** Kill delays spread over a command's run (a fixed sequence, so a failure can be replayed). */
export function killDelays(n: number, fromMs: number, toMs: number, seed: number): number[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, (_, i) => Math.round(fromMs + ((i + next()) / n) * (toMs - fromMs)));
}

/** Names that are temp files by construction: `x.tmp-<pid>`, DuckDB's `.wal` beside one, `.x.<uuid>.tmp`, ingest's `.tmp/`. */
export function isTempName(rel: string): boolean {
  const base = rel.split("/").at(-1) ?? rel;
  return /\.tmp-\d+(\.wal)?$/.test(base) || /^\..*\.tmp$/.test(base) || rel.split("/").includes(".tmp");
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Every file under data/ and backups/ that carries a final name is whole: artifacts match their
 * checksums, backups verify, Parquet and the DuckDB file open, PNGs end with IEND, CSV/JSON are complete,
 * and the model links resolve. Temp names are allowed (they are never read as real files). Also checks
 * every MLflow meta.yaml parses. Returns the temp files seen.
 */
export async function expectNoPartialFiles(cwd: string): Promise<string[]> {
  const temps: string[] = [];
  const files = [...walk(join(cwd, "data")), ...walk(join(cwd, "backups"))];
  const parquet: string[] = [];
  for (const file of files) {
    const rel = relative(cwd, file);
    if (isTempName(rel)) {
      temps.push(rel);
      continue;
    }
    const name = rel.split("/").at(-1)!;
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) {
      expect(existsSync(file), `${rel} is a dangling link`).toBe(true);
      continue;
    }
    if (name.endsWith(".model.json")) {
      expect(() => readArtifact(file), rel).not.toThrow();
    } else if (rel.startsWith("backups/") && name.endsWith(".duckdb")) {
      await expect(verifyBackup(file), rel).resolves.toMatch(/^[0-9a-f]{64}$/);
    } else if (name.endsWith(".parquet")) {
      parquet.push(file);
    } else if (name.endsWith(".png")) {
      const b = readFileSync(file);
      expect(b.subarray(-8).toString("hex"), rel).toBe("49454e44ae426082");
    } else if (name.endsWith(".csv")) {
      expect(readFileSync(file, "utf8").endsWith("\n"), rel).toBe(true);
    } else if (name.endsWith(".json")) {
      expect(() => JSON.parse(readFileSync(file, "utf8")), rel).not.toThrow();
    }
  }
  if (parquet.length > 0) {
    const db = await openDatabase(":memory:", { migrate: false });
    try {
      for (const p of parquet) {
        await expect(
          db.one(`SELECT count(*) AS n FROM read_parquet('${p.replaceAll("'", "''")}')`),
          relative(cwd, p),
        ).resolves.toBeDefined();
      }
    } finally {
      db.close();
    }
  }
  for (const meta of walk(join(cwd, "mlruns")).filter((f) => f.endsWith("meta.yaml"))) {
    expect(() => parse(readFileSync(meta, "utf8")), relative(cwd, meta)).not.toThrow();
  }
  return temps;
}

/** The database opens read-write (WAL replayed, migrations checked) and answers a query. */
export async function expectDatabaseOpens(cwd: string): Promise<void> {
  const path = join(cwd, "data", "nfl.duckdb");
  if (!existsSync(path)) return;
  const db = await openDatabase(path);
  try {
    expect((await db.one<{ n: number }>("SELECT count(*) AS n FROM schema_version"))?.n).toBeGreaterThan(0);
  } finally {
    db.close();
  }
}

/** Runs a read-only query in-process (no CLI start-up cost). */
export async function query<T extends Record<string, unknown>>(cwd: string, sql: string): Promise<T[]> {
  const db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
  try {
    return await db.all<T>(sql);
  } finally {
    db.close();
  }
}
