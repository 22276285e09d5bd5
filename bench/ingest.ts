/**
 * Ingest benchmark: every schedule season (1999–2026) from the local mirror, cold (fresh directory) and
 * warm (second run in the same directory: the unchanged file is skipped). Measured both through the CLI
 * (what an operator waits for, including process start-up) and in-process (the ingest alone).
 * Prints medians of 3 runs and the rows loaded.
 *
 * Run: `npm run bench:ingest` (NFLVERSE_MIRROR overrides the mirror, default ../shared/data/nflverse).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runIngest } from "../src/ingest/index.ts";
import { openDatabase } from "../src/storage/index.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(REPO, "bin/nfl-pred.js");
const MIRROR =
  process.env.NFLVERSE_MIRROR ?? fileURLToPath(new URL("../../shared/data/nflverse", import.meta.url));
const FIRST = 1999;
const LAST = 2026;
const SEASONS = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i);
const RUNS = 3;

interface Sample {
  readonly ms: number;
  readonly rows: number;
}

const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function countRows(dir: string): Promise<number> {
  const db = await openDatabase(join(dir, "data/nfl.duckdb"), { readOnly: true });
  try {
    const r = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM schedules WHERE season BETWEEN ${FIRST} AND ${LAST}`,
    );
    return r?.n ?? 0;
  } finally {
    db.close();
  }
}

function cliIngest(cwd: string): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [CLI, "ingest", "--seasons", `${FIRST}-${LAST}`, "--datasets", "schedules"],
    {
      cwd,
      env: { ...process.env, NFLVERSE_MIRROR: MIRROR, NFL_PRED_LOG_LEVEL: "warn" },
      encoding: "utf8",
    },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ingest failed (exit ${r.status}):\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

async function benchCli(): Promise<{ cold: Sample[]; warm: Sample[] }> {
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-bench-"));
    try {
      const c = cliIngest(dir);
      if (!/Ingested 1 file\(s\)/.test(c.stdout))
        throw new Error(`cold run did not load the file:\n${c.stdout}`);
      cold.push({ ms: c.ms, rows: await countRows(dir) });
      const w = cliIngest(dir);
      if (!/Ingested 0 file\(s\), 1 unchanged/.test(w.stdout))
        throw new Error(`warm run did not skip:\n${w.stdout}`);
      warm.push({ ms: w.ms, rows: await countRows(dir) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { cold, warm };
}

async function benchInProcess(): Promise<{ cold: Sample[]; warm: Sample[] }> {
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-bench-"));
    try {
      for (const into of [cold, warm]) {
        const t0 = performance.now();
        const db = await openDatabase(join(dir, "data/nfl.duckdb"));
        let summary: Awaited<ReturnType<typeof runIngest>>;
        try {
          summary = await runIngest(
            db,
            {
              datasets: ["schedules"],
              seasons: SEASONS,
              allowMissing: false,
              base: MIRROR,
              rawDir: join(dir, "data/raw"),
              policy: { timeoutMs: 30_000, retries: 0, backoffMs: 0 },
            },
            { fetch: globalThis.fetch, now: () => Date.now() },
          );
        } finally {
          db.close();
        }
        const ms = performance.now() - t0;
        const expected = into === cold ? "loaded" : "unchanged";
        if (summary.files[0]?.status !== expected)
          throw new Error(`expected ${expected}, got ${summary.files[0]?.status}`);
        into.push({ ms, rows: summary.rowsBySeason.reduce((n, r) => n + r.rows, 0) });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { cold, warm };
}

function line(label: string, samples: readonly Sample[]): string {
  const ms = samples.map((s) => s.ms);
  const rows = new Set(samples.map((s) => s.rows));
  return `${label.padEnd(22)} ${median(ms).toFixed(0).padStart(7)} ms   runs ${ms
    .map((m) => m.toFixed(0))
    .join(", ")
    .padEnd(18)} rows ${[...rows].join("/")}`;
}

console.log(`ingest --seasons ${FIRST}-${LAST} --datasets schedules   mirror ${MIRROR}   median of ${RUNS}`);
const inproc = await benchInProcess();
console.log(line("in-process cold", inproc.cold));
console.log(line("in-process warm", inproc.warm));
const cli = await benchCli();
console.log(line("CLI cold", cli.cold));
console.log(line("CLI warm", cli.warm));
const t0 = performance.now();
const v = spawnSync(process.execPath, [CLI, "--version"], { encoding: "utf8" });
if (v.status === 0)
  console.log(
    `${"CLI start-up (--version)".padEnd(22)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms`,
  );
