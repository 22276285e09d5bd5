import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "./mirror.ts";

/** Opens the DuckDB file read-write with the driver directly, says "ready", then sleeps holding the lock. */
const HOLDER = `
import { DuckDBInstance } from "@duckdb/node-api";
const instance = await DuckDBInstance.create(process.argv[1]);
await instance.connect();
process.stdout.write("ready\\n");
setInterval(() => {}, 60_000);
`;

const running = new Set<ChildProcess>();

/** Another process holding `file`'s write lock, resolved once the lock is taken. */
export function holdDatabase(file: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", HOLDER, file], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve(child);
    });
    child.on("exit", (code) => {
      running.delete(child);
      reject(new Error(`holder exited with ${code}: ${err}`));
    });
  });
}

/** Kills every holder still running (for `afterEach`), so a failed test never leaves a lock behind. */
export function releaseHolders(): void {
  for (const child of running) if (child.exitCode === null) child.kill("SIGTERM");
  running.clear();
}
