import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

/** End to end on real schedules: a past week replayed through the whole ladder, then re-run. */
describe("snapshot ladder and predict on real schedules", () => {
  const cwd = tempDir("nflpred-snap-");
  const cli = async (...args: string[]) => {
    const r = await runCli(args, { cwd });
    return r;
  };
  /**
   * A read in this process (opened and closed around the query, so no CLI finds the file locked): the same
   * rows `sql --format json` prints, without starting a CLI for each check. The runbook's own `sql` steps
   * below still go through the CLI.
   */
  const sqlJson = async (q: string) => {
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
    try {
      return JSON.parse(JSON.stringify(await db.all(q))) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    for (const args of [
      ["ingest", "--seasons", "2018-2024", "--datasets", "schedules,teams"],
      ["build-features", "--seasons", "2018-2024"],
      ["train", "--seasons", "2019-2023"],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
  }, 180_000);

  it("fails clearly without a model", async () => {
    const empty = tempDir("nflpred-nomodel-");
    await runCli(["ingest", "--seasons", "2024", "--datasets", "schedules"], { cwd: empty });
    const r = await runCli(["predict", "--season", "2024", "--week", "7"], { cwd: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no model artifact/);
    expect(r.stderr).toMatch(/train/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("warns, naming the ingest, when results due before the week are not stored", async () => {
    // The mirror's 2026 schedule has no results: as of week 13 every earlier 2026 game is one.
    const stale = tempDir("nflpred-stale-");
    const ingest = await runCli(["ingest", "--seasons", "2025-2026", "--datasets", "schedules"], {
      cwd: stale,
    });
    expect(ingest.code, ingest.stderr).toBe(0);
    const q = await runCli(
      [
        "sql",
        `SELECT count(*) AS n FROM schedules WHERE season = 2026 AND kickoff_utc + INTERVAL 4 HOUR <=
           (SELECT min(kickoff_utc) FROM schedules WHERE season = 2026 AND week = 13)`,
        "--format",
        "json",
      ],
      { cwd: stale },
    );
    const due = Number((JSON.parse(q.stdout) as { n: number }[])[0]!.n);
    expect(due).toBeGreaterThan(150);
    const r = await runCli(
      ["snapshot", "--season", "2026", "--week", "13", "--final-only", "--now", "2026-12-06T17:01:00Z"],
      { cwd: stale },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`warning: ${due} games kicked off from 2026-09-10 to `);
    expect(r.stdout).toContain("(2026_01_");
    expect(r.stdout).toContain("npx nfl-pred ingest --seasons 2026 --datasets schedules");
    const build = await runCli(["build-features", "--seasons", "2026"], { cwd: stale });
    expect(build.code, build.stderr).toBe(0);
    expect(build.stdout).toMatch(/warning: \d+ games kicked off from 2026-09-10 to .* no result stored/);
  });

  it("replays a past week: five stages per kickoff slot, every game predicted at its own T-60m", async () => {
    const r = await cli("snapshot", "--season", "2024", "--week", "7", "--full-timeline");
    expect(r.code, r.stderr).toBe(0);
    const slots = await sqlJson(
      "SELECT count(DISTINCT kickoff_utc) AS n, count(*) AS games FROM schedules WHERE season = 2024 AND week = 7",
    );
    const nSlots = Number(slots[0]!.n);
    expect(r.stdout).toContain(`Executed ${5 * nSlots} snapshot stage runs`);
    expect(r.stdout).not.toContain("warning:");
    // The model was trained on 2019–2023: 2024 is out of sample.
    expect(r.stdout).not.toContain("training window");
    const preds = await sqlJson(
      `SELECT p.game_id, s.weekday, s.location, p.snapshot_at, p.asof_ts, s.kickoff_utc, p.p_home_win, p.p_away_win
       FROM predictions p JOIN schedules s USING (game_id) WHERE p.season = 2024 AND p.week = 7 AND p.stage = 'T-60m'`,
    );
    expect(preds.length).toBe(Number(slots[0]!.games));
    const days = new Set(preds.map((p) => p.weekday));
    expect(days).toContain("Thursday");
    expect(days).toContain("Monday");
    expect(preds.some((p) => p.game_id === "2024_07_NE_JAX")).toBe(true);
    for (const p of preds) {
      const kickoff = Date.parse(String(p.kickoff_utc));
      expect(Date.parse(String(p.snapshot_at))).toBe(kickoff - 60 * 60_000);
      expect(Date.parse(String(p.asof_ts))).toBeLessThanOrEqual(kickoff - 60 * 60_000);
      expect(Number(p.p_home_win) + Number(p.p_away_win)).toBeCloseTo(1, 12);
    }
    const stages = await sqlJson(
      "SELECT stage, count(*) AS n FROM features WHERE season = 2024 AND week = 7 AND stage LIKE 'T-%' GROUP BY stage ORDER BY stage",
    );
    expect(stages.map((s) => s.stage).sort()).toEqual(["T-100m", "T-24h", "T-60m", "T-75m", "T-80m"]);
  });

  it("says when a replayed week is inside the model's training window", async () => {
    const r = await cli("snapshot", "--season", "2023", "--week", "10", "--final-only");
    expect(r.code, r.stderr).toBe(0);
    const [g] = await sqlJson("SELECT count(*) AS n FROM schedules WHERE season = 2023 AND week = 10");
    const n = Number(g!.n);
    expect(r.stdout).toMatch(
      new RegExp(
        `note: ${n} of these ${n} games are in the training window of mvp_v1_margin_\\S+ \\(seasons 2019–2023, through 2024-02-1\\d\\): it has learned their results`,
      ),
    );
  });

  it("re-running leaves predictions, features and audit hashes identical", async () => {
    const snap = async () => ({
      preds: await sqlJson(
        "SELECT game_id, model_id, snapshot_at, p_home_win, pick, tier FROM predictions WHERE season = 2024 AND week = 7 ORDER BY ALL",
      ),
      features: await sqlJson("SELECT count(*) AS n FROM features WHERE season = 2024 AND week = 7"),
      hashes: await sqlJson(
        "SELECT DISTINCT stage, snapshot_at, input_hash, input_rows FROM audit WHERE week = 7 AND season = 2024 ORDER BY ALL",
      ),
    });
    const before = await snap();
    const r = await cli("snapshot", "--season", "2024", "--week", "7", "--full-timeline");
    expect(r.code, r.stderr).toBe(0);
    const after = await snap();
    expect(after).toEqual(before);
  });

  it("a rehearsal before kickoff stores predictions under snapshot_at = now, which the runbook's DELETE removes", async () => {
    const now = "2024-10-19T12:00:00Z";
    const r = await cli(
      "snapshot",
      "--season",
      "2024",
      "--week",
      "7",
      "--at",
      "2024-10-20T17:00:00Z",
      "--final-only",
      "--now",
      now,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("rehearsal");
    const rows = await sqlJson(`SELECT count(*) AS n FROM predictions WHERE snapshot_at = '${now}'`);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    const del = await cli("sql", `DELETE FROM predictions WHERE snapshot_at = '${now}'`);
    expect(del.code).toBe(0);
    const left = await sqlJson(`SELECT count(*) AS n FROM predictions WHERE snapshot_at = '${now}'`);
    expect(Number(left[0]!.n)).toBe(0);
  });

  it("export writes the week's scheduled T-60m predictions; a game with only a rehearsal is left out unless asked", async () => {
    // Week 7 was replayed above, so every game has its scheduled T-60m prediction.
    const games = await sqlJson(
      "SELECT game_id, epoch_ms(kickoff_utc) AS kickoff FROM schedules WHERE season = 2024 AND week = 7 ORDER BY kickoff_utc, game_id",
    );
    const csv = await cli("export", "--season", "2024", "--week", "7");
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain(`Exported ${games.length} T-60m predictions for season 2024 week 7`);
    const [header, ...lines] = readFileSync(join(cwd, "exports", "predictions_s2024_w7_T-60.csv"), "utf8")
      .trim()
      .split("\n");
    const cols = header!.split(",");
    expect(cols.slice(0, 3)).toEqual(["season", "week", "game_id"]);
    expect(cols.at(-1)).toBe("rehearsal");
    const at = (name: string) => cols.indexOf(name);
    expect(lines.map((l) => l.split(",")[at("game_id")])).toEqual(games.map((g) => g.game_id));
    for (const [i, l] of lines.entries()) {
      const cells = l.split(",");
      expect(Date.parse(cells[at("snapshot_at")]!)).toBe(Number(games[i]!.kickoff) - 3_600_000);
      expect(cells[at("stage")]).toBe("T-60m");
      expect(cells.at(-1)).toBe("false");
    }

    // A Saturday rehearsal of week 8's first Sunday slot is the only T-60m prediction of its games.
    const [slot] = await sqlJson(
      "SELECT min(kickoff_utc) AS kickoff FROM schedules WHERE season = 2024 AND week = 8 AND kickoff_utc > TIMESTAMPTZ '2024-10-27T00:00:00Z'",
    );
    const kickoff = new Date(String(slot!.kickoff)).toISOString();
    const now = "2024-10-26T12:00:00Z";
    const rehearsal = await cli(
      "snapshot",
      "--season",
      "2024",
      "--week",
      "8",
      "--at",
      kickoff,
      "--final-only",
      "--now",
      now,
    );
    expect(rehearsal.code, rehearsal.stderr).toBe(0);
    const [{ n }] = (await sqlJson(`SELECT count(*) AS n FROM predictions WHERE snapshot_at = '${now}'`)) as [
      { n: number },
    ];
    expect(Number(n)).toBeGreaterThan(0);
    const file8 = join(cwd, "exports", "predictions_s2024_w8_T-60.csv");
    const refused = await cli("export", "--season", "2024", "--week", "8");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`no T-60m predictions for season 2024 week 8 except ${n} rehearsal`);
    expect(refused.stderr).toContain("--include-rehearsals");
    expect(existsSync(file8)).toBe(false);
    // Asked for, they are exported marked (here as JSON to a chosen path).
    const marked = await cli(
      "export",
      "--season",
      "2024",
      "--week",
      "8",
      "--include-rehearsals",
      "--format",
      "json",
      "--out",
      "out/w8.json",
    );
    expect(marked.code, marked.stderr).toBe(0);
    expect(marked.stdout).toContain("included (column rehearsal = true)");
    const exported = JSON.parse(readFileSync(join(cwd, "out", "w8.json"), "utf8")) as Record<
      string,
      unknown
    >[];
    expect(exported).toHaveLength(Number(n));
    for (const r of exported) {
      expect(r.rehearsal).toBe(true);
      expect(Date.parse(String(r.snapshot_at))).toBe(Date.parse(now));
      expect(Number(r.p_home_win) + Number(r.p_away_win)).toBeCloseTo(1, 12);
    }
  });

  it("--full-timeline with --now before the slot runs what is due and lists what is ahead", async () => {
    const started = Date.now();
    const r = await cli(
      "snapshot",
      "--season",
      "2024",
      "--week",
      "7",
      "--at",
      "2024-10-20T17:00:00Z",
      "--full-timeline",
      "--now",
      "2024-10-20T15:30:00Z",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Executed 2 snapshot stage runs");
    expect(r.stdout).toMatch(/T-80m\s+2024-10-20T15:40:00Z/);
    expect(r.stdout).toMatch(/T-60m\s+2024-10-20T16:00:00Z/);
    // The audit keeps the clock the run pretended; a feature row's built_at is always the real time.
    const rows = await sqlJson(
      `SELECT a.stage, epoch_ms(a.created_at) AS audit_ms, max(epoch_ms(f.built_at)) AS built_ms
       FROM audit a JOIN features f ON f.season = a.season AND f.week = a.week AND f.snapshot_at = a.snapshot_at
       WHERE a.season = 2024 AND a.week = 7 AND a.created_at = TIMESTAMPTZ '2024-10-20T15:30:00Z'
       GROUP BY a.stage, a.created_at`,
    );
    expect(rows.map((x) => x.stage).sort()).toEqual(["T-100m", "T-24h"]);
    for (const x of rows) expect(Number(x.built_ms)).toBeGreaterThanOrEqual(started);
  });

  it("--at that matches no kickoff fails and lists the week's kickoff slots", async () => {
    const r = await cli(
      "snapshot",
      "--season",
      "2024",
      "--week",
      "7",
      "--at",
      "2024-10-13T17:00:00Z",
      "--final-only",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--at 2024-10-13T17:00:00.000Z matches no kickoff/);
    expect(r.stderr).toContain("2024-10-20T13:30:00Z");
    expect(r.stderr).toContain("2024-10-20T17:00:00Z");
  });

  it("predict scores a week ad hoc and re-running replaces, never duplicates", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await cli("predict", "--season", "2024", "--week", "8");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Generated \d+ predictions for season 2024 week 8\./);
    }
    const dup = await sqlJson(
      "SELECT game_id, count(*) AS n FROM predictions WHERE season = 2024 AND week = 8 GROUP BY game_id, model_id, snapshot_at HAVING count(*) > 1",
    );
    expect(dup).toEqual([]);
  });
});
