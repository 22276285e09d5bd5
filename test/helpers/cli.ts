import { spawn } from "node:child_process";
import { CLI, MIRROR_DIR } from "./mirror.ts";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of every CLI a test starts: fast-failing downloads (small timeout, one retry, 10 ms
 * backoff), quiet logs, and one DuckDB thread (two test files run at once on a 2-core machine, and the
 * test databases are small, so more threads only add start-up and contention).
 */
export const CLI_TEST_ENV: Readonly<Record<string, string>> = {
  NFL_PRED__STORAGE__THREADS: "1",
  NFL_PRED__INGEST__TIMEOUT_MS: "3000",
  NFL_PRED__INGEST__RETRIES: "1",
  NFL_PRED__INGEST__BACKOFF_MS: "10",
  NFL_PRED_LOG_LEVEL: "warn",
};

/**
 * Runs the compiled CLI (`CLI`, or `opts.bin`) in `cwd` without blocking the event loop, so a test HTTP server in this
 * process keeps answering while the CLI downloads from it.
 */
export function runCli(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; bin?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? CLI, ...args], {
      cwd: opts.cwd,
      // The local mirror unless the test names its server: a test must never reach the real nflverse.
      env: { ...process.env, NFLVERSE_MIRROR: MIRROR_DIR, ...CLI_TEST_ENV, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
