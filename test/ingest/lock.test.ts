import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { REPO_ROOT, tempDir } from "../helpers/mirror.ts";

/** Opens the DuckDB file read-write with the driver directly, says "ready", then sleeps holding the lock. */
const HOLDER = `
import { DuckDBInstance } from "@duckdb/node-api";
const instance = await DuckDBInstance.create(process.argv[1]);
await instance.connect();
process.stdout.write("ready\\n");
setInterval(() => {}, 60_000);
`;

let holder: ChildProcess | undefined;

afterEach(() => {
  if (holder?.pid !== undefined && holder.exitCode === null) holder.kill("SIGTERM");
  holder = undefined;
});

function holdDatabase(file: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", HOLDER, file], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`holder exited with ${code}: ${err}`)));
  });
}

describe("lock contention between two processes", () => {
  it("exits 3 naming the database file and the holder's PID, without a stack trace", async () => {
    const cwd = tempDir("nflpred-lock-");
    const file = join(cwd, "data", "nfl.duckdb");
    mkdirSync(join(cwd, "data"));
    holder = await holdDatabase(file);

    const r = await runCli(["sql", "SELECT 1"], { cwd, env: { NFL_PRED_LOCK_WAIT_MS: "0" } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(new RegExp(`process ${holder.pid}\\b`));
    expect(r.stderr).toMatch(/fuser/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/unexpected error/);
  });
});
