import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_ENV, runCli } from "../helpers/cli.ts";
import { CLI, MIRROR_DIR, tempDir } from "../helpers/mirror.ts";
import { expectDatabaseOpens, query } from "./helpers.ts";

/** Two commands on one database: the second fails with the lock message at once, or waits its turn. */
describe("concurrency on one database", () => {
  const cwd = tempDir("nflpred-conc-");
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd, env });
  let games = 0;

  beforeAll(async () => {
    for (const args of [
      ["ingest", "--seasons", "2023", "--datasets", "schedules,teams"],
      ["build-features", "--seasons", "2023"],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    games = Number(
      (await query(cwd, "SELECT count(*) AS n FROM schedules WHERE season = 2023 AND week = 7"))[0]?.n,
    );
  }, 60_000);

  it("while a snapshot ladder holds the database, a second command exits 3 naming it, or waits and succeeds", async () => {
    // The long holder: a whole week's ladder, feature stages only (no model). It says "no model" once it has the database.
    const holder = spawn(
      process.execPath,
      [CLI, "snapshot", "--season", "2023", "--week", "7", "--full-timeline"],
      {
        cwd,
        env: { ...process.env, NFLVERSE_MIRROR: MIRROR_DIR, ...CLI_TEST_ENV },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const holderDone = new Promise<number | null>((resolve) => holder.on("close", resolve));
    await new Promise<void>((resolve, reject) => {
      holder.stderr.setEncoding("utf8").on("data", (d: string) => {
        if (d.includes("no model")) resolve();
      });
      holder.on("close", (code) => reject(new Error(`snapshot ended (${code}) before it held the database`)));
    });
    const [failFast, waiting] = await Promise.all([
      cli(["build-features", "--seasons", "2023"], { NFL_PRED_LOCK_WAIT_MS: "0" }),
      cli(["build-features", "--seasons", "2023"], { NFL_PRED_LOCK_WAIT_MS: "120000" }),
    ]);
    expect(await holderDone).toBe(0);
    expect(failFast.code).toBe(3);
    expect(failFast.stderr).toMatch(
      new RegExp(`database .*nfl\\.duckdb is locked by process ${holder.pid}\\b`),
    );
    expect(failFast.stderr).toMatch(/hint: wait for it to finish, or inspect it with `fuser/);
    expect(failFast.stderr).not.toMatch(/\n\s+at /);
    expect(waiting.code, waiting.stderr).toBe(0);
    await expectDatabaseOpens(cwd);
    const stages = await query<{ stage: string; n: number }>(
      cwd,
      "SELECT stage, count(*) AS n FROM features WHERE season = 2023 AND week = 7 GROUP BY stage ORDER BY stage",
    );
    expect(stages.map((s) => [s.stage, Number(s.n)])).toEqual(
      ["T-100m", "T-24h", "T-60m", "T-75m", "T-80m"].map((s) => [s, 2 * games]),
    );
    const dup = await query(
      cwd,
      "SELECT game_id, team, snapshot_at FROM features GROUP BY ALL HAVING count(*) > 1",
    );
    expect(dup).toEqual([]);
  }, 120_000);
});
