import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { BIN, REPO_ROOT, tempDir } from "../helpers/mirror.ts";

// Every other end-to-end test runs the compiled build; this one runs the installed entry point through tsx.
describe("bin/nfl-pred.js (the entry `npx nfl-pred` runs)", () => {
  const run = (args: string[], cwd: string) => runCli(args, { cwd, bin: BIN });

  it("prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const r = await run(["--version"], tempDir());
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("ingests a season from the mirror and answers a query on it", async () => {
    const cwd = tempDir();
    const ingest = await run(["ingest", "--seasons", "2024", "--datasets", "schedules"], cwd);
    expect(ingest.code, ingest.stderr).toBe(0);
    const q = await run(
      ["sql", "SELECT count(*) AS n FROM schedules WHERE season = 2024", "--format", "csv"],
      cwd,
    );
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout.trim().split("\n")).toEqual(["n", "285"]);
  });

  it("names an unknown flag and exits 2", async () => {
    const r = await run(["sql", "SELECT 1", "--formt", "csv"], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--formt");
  });
});
