import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { holdDatabase, releaseHolders } from "../helpers/lock.ts";
import { tempDir } from "../helpers/mirror.ts";

afterEach(releaseHolders);

describe("lock contention between two processes", () => {
  it("exits 3 naming the database file and the holder's PID, without a stack trace", async () => {
    const cwd = tempDir("nflpred-lock-");
    const file = join(cwd, "data", "nfl.duckdb");
    mkdirSync(join(cwd, "data"));
    const holder = await holdDatabase(file);

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
