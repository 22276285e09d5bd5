import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { MIRROR_DIR, tempDir } from "../helpers/mirror.ts";
import { type NflverseServer, startNflverseServer, stopNflverseServer } from "../helpers/nflverse-server.ts";

const TEAM_FILES = ["parquet", "csv"].map((ext) => `/teams/teams_colors_logos.${ext}`);

let srv: NflverseServer;

beforeAll(async () => {
  srv = await startNflverseServer(MIRROR_DIR);
  for (const p of TEAM_FILES) srv.setFault(p, { kind: "status", status: 404 });
});
afterAll(async () => {
  await stopNflverseServer(srv);
});

async function tableCounts(cwd: string) {
  const db = await openDatabase(join(cwd, "data/nfl.duckdb"), { readOnly: true });
  try {
    return await db.one(
      "SELECT (SELECT count(*) FROM schedules) AS schedules, (SELECT count(*) FROM teams) AS teams",
    );
  } finally {
    db.close();
  }
}

describe("a file the source lacks", () => {
  it("fails the command with a summary of what is missing, storing nothing, without retrying a 404", async () => {
    const cwd = tempDir("nflpred-missing-");
    const r = await runCli(["ingest", "--seasons", "2024", "--datasets", "schedules,teams"], {
      cwd,
      env: { NFLVERSE_MIRROR: srv.url },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the source lacks 1 file(s)");
    expect(r.stderr).toContain(`${srv.url}/teams/teams_colors_logos.{parquet,csv}`);
    expect(r.stderr).toMatch(/--allow-missing/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const p of TEAM_FILES) expect(srv.requestsFor(p).map((q) => q.status)).toEqual([404]);
    // The schedules file was fine, but a failed command stores nothing.
    expect(existsSync(join(cwd, "data/nfl.duckdb"))).toBe(true);
    expect(await tableCounts(cwd)).toEqual({ schedules: 0, teams: 0 });
  });

  it("with --allow-missing loads the rest and prints what it skipped", async () => {
    const cwd = tempDir("nflpred-missing-");
    const r = await runCli(
      ["ingest", "--seasons", "2024", "--datasets", "schedules,teams", "--allow-missing"],
      {
        cwd,
        env: { NFLVERSE_MIRROR: srv.url },
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Ingested 1 file\(s\), 0 unchanged, 1 missing/);
    expect(r.stdout).toContain(`skipped (not in source): ${srv.url}/teams/teams_colors_logos.{parquet,csv}`);
    expect(await tableCounts(cwd)).toEqual({ schedules: 285, teams: 0 });
  });
});

describe("many files the source lacks (a partial mirror, several seasons)", () => {
  // The mirror has weekly team stats from 2020 only: 2018 and 2019 are missing.
  const args = ["ingest", "--seasons", "2018-2021", "--datasets", "schedules,stats_team"];
  const first = `${MIRROR_DIR}/stats_team/stats_team_week_2018.{parquet,csv.gz,csv}`;

  it("names each dataset once, with its seasons and the first path, in the error", async () => {
    const r = await runCli(args, { cwd: tempDir("nflpred-missing-") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `the source lacks 2 file(s):\n  stats_team 2018–2019: 2 files, the first ${first}\n`,
    );
  });

  it("and with --allow-missing, then shows stored rows a line per season, a column per dataset", async () => {
    const r = await runCli([...args, "--allow-missing"], { cwd: tempDir("nflpred-missing-") });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `skipped (not in source): stats_team 2018–2019: 2 files, the first ${first}\n`,
    );
    const table = r.stdout.slice(r.stdout.indexOf("season "));
    const lines = table.trimEnd().split("\n");
    expect(lines[0]!.split(/\s+/)).toEqual(["season", "schedules", "stats_team"]);
    const cells = lines.slice(2).map((l) => l.trim().split(/\s+/).map(Number));
    expect(cells.map((c) => c[0])).toEqual([2018, 2019, 2020, 2021]);
    // 2018 and 2019: schedules only; 2020 on: both, a team-week row per team and game played.
    expect(cells.slice(0, 2).map((c) => c.length)).toEqual([2, 2]);
    expect(cells.map((c) => c[1])).toEqual([267, 267, 269, 285]);
    expect(cells[2]![2]).toBeGreaterThan(2 * 256);
  });
});
