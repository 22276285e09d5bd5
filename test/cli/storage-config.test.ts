import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

describe("storage.threads through the CLI", () => {
  it("reaches the DuckDB a command opens, from NFL_PRED__STORAGE__THREADS", async () => {
    const cwd = tempDir();
    const sql = ["sql", "SELECT current_setting('threads') AS t", "--format", "csv"];
    const three = await runCli(sql, { cwd, env: { NFL_PRED__STORAGE__THREADS: "3" } });
    expect(three.code, three.stderr).toBe(0);
    expect(three.stdout.trim().split("\n")).toEqual(["t", "3"]);
    const bad = await runCli(sql, { cwd, env: { NFL_PRED__STORAGE__THREADS: "-1" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("storage.threads");
  });
});
