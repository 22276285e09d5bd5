import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { slopeWithError } from "../../src/report/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { MIN_REASON_LOGIT } from "../../src/snapshot/index.ts";
import { type Database, openDatabase } from "../../src/storage/index.ts";
import { CLI_TEST_ENV, runCli } from "../helpers/cli.ts";
import { CLI, MIRROR_DIR, REPO_ROOT, tempDir } from "../helpers/mirror.ts";

// After the 2025 season: the default week is the latest one with predictions.
const NOW = Date.parse("2026-11-29T12:00:00Z");

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON pages are checked field by field below.
  body: any;
}

async function get(base: string, path: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Static files and plain-text errors stay text.
  }
  return { status: res.status, headers: res.headers, body };
}

const serverMs = (a: Answer) => Number(/dur=([\d.]+)/.exec(a.headers.get("server-timing") ?? "")?.[1]);

function configFor(cwd: string) {
  return loadConfig({ cwd, env: {} });
}

/** nflverse's vig-free home probability, written out independently of src/features. */
function vigFree(home: number, away: number): number {
  const implied = (ml: number) => (ml < 0 ? -ml / (100 - ml) : 100 / (100 + ml));
  return implied(home) / (implied(home) + implied(away));
}

describe("dashboard API on the full history", () => {
  const cwd = tempDir("nflpred-serve-");
  let server: RunningServer;
  let base = "";
  // The test's own read-only connection: independent of the server's, cheaper than `nfl-pred sql`.
  let db: Database;
  const sql = (q: string) => db.all(q);

  beforeAll(async () => {
    for (const args of [
      ["ingest", "--seasons", "2012-2025", "--datasets", "schedules,teams"],
      ["build-features", "--seasons", "2012-2025"],
      ["train", "--seasons", "2020-2024"],
      ["backtest", "--seasons", "2023-2024", "--retrain", "seasonly"],
      ["snapshot", "--season", "2025", "--week", "7", "--full-timeline"],
    ]) {
      const r = await runCli(args, { cwd });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
    server = await startServer({ config: configFor(cwd), port: 0, now: () => NOW });
    base = server.url;
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    db?.close();
  });

  it("binds to 127.0.0.1 by default", () => {
    expect(server.host).toBe("127.0.0.1");
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("GET /api/predictions: every game of the week with its latest prediction, teams and ladder", async () => {
    const r = await get(base, "/api/predictions?season=2025&week=7");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/application\/json/);
    const schedule = await sql(
      "SELECT game_id, home_team, away_team FROM schedules WHERE season = 2025 AND week = 7 ORDER BY game_id",
    );
    const stored = await sql(
      "SELECT game_id, p_home_win, pick, model_id FROM predictions WHERE season = 2025 AND week = 7 AND stage = 'T-60m'",
    );
    const teams = new Map(
      (await sql("SELECT team_abbr, team_name, team_color FROM teams")).map((t) => [t.team_abbr, t]),
    );
    const page = r.body;
    expect([page.season, page.week, page.setup, page.results_missing, page.in_sample]).toEqual([
      2025,
      7,
      null,
      null,
      null,
    ]);
    expect(page.games.map((g: { game_id: string }) => g.game_id).sort()).toEqual(
      schedule.map((s) => s.game_id),
    );
    expect(page.summary).toMatchObject({ games: schedule.length, predicted: schedule.length });
    expect(page.prev).toEqual({ season: 2025, week: 6 });
    expect(page.next).toEqual({ season: 2025, week: 8 });
    for (const g of page.games) {
      const s = stored.find((x) => x.game_id === g.game_id)!;
      expect(g.prediction.p_home_win).toBeCloseTo(Number(s.p_home_win), 12);
      expect(g.prediction.pick).toBe(s.pick);
      expect(["Strong", "Lean", "Pass"]).toContain(g.prediction.tier);
      expect(g.prediction.model_id).toBe(s.model_id);
      expect(g.prediction.rehearsal).toBe(false);
      expect(g.prediction.reasons.length).toBeGreaterThan(0);
      expect(g.ladder.map((l: { stage: string }) => l.stage)).toEqual([
        "T-24h",
        "T-100m",
        "T-80m",
        "T-75m",
        "T-60m",
      ]);
      expect(g.ladder.every((l: { status: string }) => l.status === "done")).toBe(true);
      const home = teams.get(g.home.abbr)!;
      expect(g.home.name).toBe(home.team_name);
      expect(g.home.color.toLowerCase()).toBe(String(home.team_color).toLowerCase());
      expect(Date.parse(g.ladder[4].stage_time)).toBe(Date.parse(g.kickoff_utc) - 3600_000);
    }
  });

  it("without parameters shows the latest predicted week; before a week, its games with stages ahead", async () => {
    const r = await get(base, "/api/predictions");
    expect([r.status, r.body.season, r.body.week]).toEqual([200, 2025, 7]);
    const early = await startServer({
      config: configFor(cwd),
      port: 0,
      now: () => Date.parse("2025-10-29T12:00:00Z"),
    });
    try {
      const e = await get(early.url, "/api/predictions");
      expect([e.body.season, e.body.week]).toEqual([2025, 9]);
      expect(e.body.summary.predicted).toBe(0);
      expect(e.body.results_missing).toBeNull();
      expect(e.body.setup.commands.join("\n")).toContain("snapshot --season 2025 --week 9");
      const statuses = new Set(
        e.body.games.flatMap((g: { ladder: { status: string }[] }) => g.ladder.map((l) => l.status)),
      );
      expect([...statuses]).toEqual(["ahead"]);
    } finally {
      await early.close();
    }
  });

  it("a rehearsal ahead of the final stage is not that stage's run: once its time passes the ladder says not run", async () => {
    const [first] = await sql(
      "SELECT game_id, epoch_ms(kickoff_utc) AS kickoff FROM schedules WHERE season = 2025 AND week = 9 ORDER BY kickoff_utc, game_id LIMIT 1",
    );
    const gameId = String(first!.game_id);
    const kickoff = Number(first!.kickoff);
    const rehearsedAt = new Date(kickoff - 2 * 86_400_000).toISOString();
    /** Writes through a connection of the test's own (the read-only one closes meanwhile). */
    const write = async (q: string) => {
      db.close();
      const rw = await openDatabase(join(cwd, "data", "nfl.duckdb"));
      try {
        await rw.run(q);
      } finally {
        rw.close();
        db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
      }
    };
    // The game's T-60m features were built in bulk (build-features, after the fact); that is no stage run.
    db.close();
    try {
      // The runbook's Saturday rehearsal of the week's first kickoff slot, two days ahead.
      const r = await runCli(
        [
          "snapshot",
          "--season",
          "2025",
          "--week",
          "9",
          "--at",
          new Date(kickoff).toISOString(),
          "--final-only",
          "--now",
          rehearsedAt,
        ],
        { cwd },
      );
      expect(r.code, r.stderr).toBe(0);
    } finally {
      db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
    }
    const after = await startServer({ config: configFor(cwd), port: 0, now: () => kickoff + 5 * 3_600_000 });
    try {
      const page = (await get(after.url, "/api/predictions?season=2025&week=9")).body;
      const game = page.games.find((g: { game_id: string }) => g.game_id === gameId);
      // The rehearsal's prediction is shown, marked as one, but no stage ran at its time.
      expect(game.prediction).toMatchObject({ stage: "T-60m", rehearsal: true });
      expect(game.ladder.map((l: { status: string }) => l.status)).toEqual(Array(5).fill("not_run"));
      // So says the game's own page, which still shows the rehearsal's probability at T-60m.
      const detail = (await get(after.url, `/api/game?game_id=${gameId}`)).body;
      expect(detail.ladder.map((l: { status: string }) => l.status)).toEqual(Array(5).fill("not_run"));
      expect(detail.ladder[4]).toMatchObject({ p_model_source: "stored", snapshot_at: rehearsedAt });
    } finally {
      await after.close();
    }
    // The runbook's rollback of rehearsal predictions leaves the week as it was.
    await write(`DELETE FROM predictions WHERE snapshot_at = '${rehearsedAt}'`);
    expect(await sql("SELECT * FROM predictions WHERE season = 2025 AND week = 9")).toEqual([]);
  });

  it("GET /api/game: stored T-60m, re-scored earlier stages, contributions that match the stored reasons, the market", async () => {
    const week = (await get(base, "/api/predictions?season=2025&week=7")).body;
    const game = week.games.find((g: { market_p_home: number | null }) => g.market_p_home !== null);
    const r = await get(base, `/api/game?game_id=${game.game_id}`);
    expect(r.status).toBe(200);
    const d = r.body;
    expect(d.game.game_id).toBe(game.game_id);
    expect(d.ladder).toHaveLength(5);
    const final = d.ladder[4];
    expect([final.stage, final.p_model_source]).toEqual(["T-60m", "stored"]);
    expect(final.p_model).toBeCloseTo(game.prediction.p_home_win, 12);
    for (const s of d.ladder.slice(0, 4)) {
      expect(s.p_model_source).toBe("rescored");
      expect(s.p_model).toBeGreaterThan(0);
      expect(s.p_model).toBeLessThan(1);
      expect(s.p_elo).toBeGreaterThan(0);
    }
    expect(d.notes).toEqual([]);
    // The snapshot stored the top reasons (at most three, none under MIN_REASON_LOGIT); re-scoring the same
    // features must rank the same ones first.
    expect(d.contributions.source).toBe("rescored");
    const stored = game.prediction.reasons.map((c: { feature: string; logit: number }) => [
      c.feature,
      c.logit,
    ]);
    const top = d.contributions.items
      .slice(0, stored.length)
      .map((c: { feature: string; logit: number }) => [c.feature, c.logit]);
    const next = d.contributions.items[stored.length] as { logit: number } | undefined;
    if (stored.length < 3 && next) expect(Math.abs(next.logit)).toBeLessThan(MIN_REASON_LOGIT);
    expect(top.map((t: unknown[]) => t[0])).toEqual(stored.map((t: unknown[]) => t[0]));
    for (const [i, t] of (top as [string, number][]).entries()) expect(t[1]).toBeCloseTo(stored[i][1], 9);
    const [lines] = await sql(
      `SELECT home_moneyline, away_moneyline FROM schedules WHERE game_id = '${game.game_id}'`,
    );
    expect(d.market.p_home_moneyline).toBeCloseTo(
      vigFree(Number(lines!.home_moneyline), Number(lines!.away_moneyline)),
      12,
    );
  });

  it("GET /api/model: season-to-date scores equal a hand computation; the backtest by season", async () => {
    const r = await get(base, "/api/model?season=2025");
    expect(r.status).toBe(200);
    const rows = await sql(
      `SELECT p.p_home_win, s.home_score, s.away_score, s.home_moneyline, s.away_moneyline
       FROM predictions p JOIN schedules s USING (game_id)
       WHERE p.season = 2025 AND p.stage = 'T-60m' AND s.home_score IS NOT NULL`,
    );
    const y = rows.map((x) =>
      Number(x.home_score) > Number(x.away_score) ? 1 : Number(x.home_score) < Number(x.away_score) ? 0 : 0.5,
    );
    const brier = rows.reduce((s, x, i) => s + (Number(x.p_home_win) - y[i]!) ** 2, 0) / rows.length;
    const withLines = rows
      .map((x, i) => [x, y[i]!] as const)
      .filter(([x]) => x.home_moneyline !== null && x.away_moneyline !== null);
    const marketBrier =
      withLines.reduce(
        (s, [x, yy]) => s + (vigFree(Number(x.home_moneyline), Number(x.away_moneyline)) - yy) ** 2,
        0,
      ) / withLines.length;
    const live = r.body.live;
    expect(live.n).toBe(rows.length);
    expect(live.totals.model.brier).toBeCloseTo(brier, 12);
    expect(live.totals.market.n).toBe(withLines.length);
    expect(live.totals.market.brier).toBeCloseTo(marketBrier, 12);
    expect(live.totals.elo.n).toBe(rows.length);
    expect(live.weekly.map((w: { week: number }) => w.week)).toEqual([7]);
    expect(live.reliability.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(rows.length);
    // 2025 is after the model's 2020–2024 window: out of sample, no notice.
    expect(r.body.in_sample).toBeNull();
    const counts = await sql(
      "SELECT season, count(*) AS n FROM backtest_predictions WHERE label IS NOT NULL GROUP BY season ORDER BY season",
    );
    const bt = r.body.backtest;
    expect(bt.run.run_id).toMatch(/^bt_mvp_v1_margin_seasonly_/);
    expect(bt.by_season.map((s: { season: number; model: { n: number } }) => [s.season, s.model.n])).toEqual(
      counts.map((c) => [c.season, Number(c.n)]),
    );
    expect(bt.season).toBeNull();
    // The phases partition the same games, playoffs last (from the schedule's game type, not the week).
    const phases = bt.by_phase as {
      phase: string;
      model: { n: number };
      slope: { model: { value: number; se: number } | null };
    }[];
    expect(phases.map((p) => p.phase)).toEqual(["weeks 1-4", "weeks 5-9", "weeks 10+", "playoffs"]);
    expect(phases.reduce((s, p) => s + p.model.n, 0)).toBe(counts.reduce((s, c) => s + Number(c.n), 0));
    const playoffGames = await sql(
      `SELECT count(*) AS n FROM backtest_predictions b JOIN schedules s USING (game_id)
       WHERE b.run_id = '${bt.run.run_id}' AND b.label IS NOT NULL AND s.game_type <> 'REG'`,
    );
    expect(phases[3]!.model.n).toBe(Number(playoffGames[0]!.n));
    const early = await sql(
      `SELECT b.p_home_win, b.label FROM backtest_predictions b JOIN schedules s USING (game_id)
       WHERE b.run_id = '${bt.run.run_id}' AND b.label IS NOT NULL AND s.game_type = 'REG' AND b.week <= 4`,
    );
    const slope = slopeWithError(
      early.map((r) => Number(r.p_home_win)),
      early.map((r) => Number(r.label)),
    );
    expect(phases[0]!.slope.model!.value).toBeCloseTo(slope.slope, 10);
    expect(phases[0]!.slope.model!.se).toBeCloseTo(slope.se, 10);
    const in2023 = (await get(base, "/api/model?season=2023")).body;
    expect(in2023.live).toBeNull();
    expect(in2023.backtest.season.weekly.length).toBeGreaterThan(15);
    const missing = await get(base, "/api/model?run_id=bt_nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe("no backtest run 'bt_nope'");
  });

  it("GET /api/monitoring: says what to run, then shows the PSI table and the decision once written", async () => {
    const before = await get(base, "/api/monitoring");
    expect(before.status).toBe(200);
    expect(before.body.setup.commands[0]).toBe("npx nfl-pred monitor --season 2026 --week <week>");
    const dir = join(cwd, "data", "reports", "monitoring", "season_2025", "week_07");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "psi_summary_s2025_w7.csv"),
      "feature,psi,threshold,breached\nelo_pre,0.05,0.2,false\nrest_days,0.31,0.2,true\n",
    );
    writeFileSync(
      join(dir, "monitoring_s2025_w7.json"),
      JSON.stringify({ retrain: false, reasons: ["1 feature above PSI 0.2 (needs 5)"] }),
    );
    const after = await get(base, "/api/monitoring?season=2025&week=7");
    expect(after.status).toBe(200);
    expect(
      after.body.psi.rows.map((x: { feature: string; breached: boolean }) => [x.feature, x.breached]),
    ).toEqual([
      ["rest_days", true],
      ["elo_pre", false],
    ]);
    expect(after.body.decision).toMatchObject({
      retrain: false,
      reasons: ["1 feature above PSI 0.2 (needs 5)"],
      // A summary from before `notes` existed has none.
      notes: [],
    });
    expect((await get(base, "/api/monitoring")).body.week).toBe(7);
    expect((await get(base, "/api/monitoring?season=2025&week=8")).body.setup.message).toMatch(
      /season 2025 week 8/,
    );
  });

  it("GET /api/registry: the trained model as candidate, then as current; its tracking run folder", async () => {
    const r = await get(base, "/api/registry");
    expect(r.status).toBe(200);
    expect(r.body.models).toHaveLength(1);
    const m = r.body.models[0];
    expect([m.role, r.body.current]).toEqual(["candidate", null]);
    expect(m.metrics.cv_brier).toBeGreaterThan(0.15);
    expect(m.training.seasons).toEqual([2020, 2021, 2022, 2023, 2024]);
    expect(m.tracking.path).toMatch(/^mlruns\//);
    expect(existsSync(join(cwd, m.tracking.path, "meta.yaml"))).toBe(true);
    symlinkSync(`${m.model_id}.model.json`, join(cwd, "data", "models", "current"));
    const after = (await get(base, "/api/registry")).body;
    expect(after.current).toMatchObject({ model_id: m.model_id, broken: false });
    expect(after.models[0].role).toBe("current");
  });

  it("bad parameters get a 400 with a message; unknown things a 404", async () => {
    const cases: [string, number, RegExp][] = [
      [
        "/api/predictions?season=abc&week=1",
        400,
        /^season: expected a whole number from 1999 to 2027, got 'abc'$/,
      ],
      ["/api/predictions?season=2024&week=23", 400, /^week: expected a whole number from 1 to 22/],
      ["/api/predictions?season=2024", 400, /^week: required with season$/],
      ["/api/predictions?week=3", 400, /^season: required with week$/],
      ["/api/predictions?seasn=2024&week=1", 400, /^unknown parameter 'seasn'/],
      ["/api/predictions?season=2024&season=2025&week=1", 400, /given more than once/],
      ["/api/game", 400, /^game_id: required/],
      ["/api/game?game_id=2024_07_NE_JAX'--", 400, /^game_id: expected an nflverse game id/],
      ["/api/model?season=1900", 400, /^season: /],
      ["/api/model?run_id=a%20b", 400, /^run_id: /],
      ["/api/monitoring?week=x", 400, /^season: required with week$/],
      ["/api/registry?all=1", 400, /takes no parameters/],
      ["/api/predictions?season=2027&week=1", 404, /no games in the schedule for season 2027 week 1/],
      ["/api/game?game_id=2024_07_XX_YY", 404, /no game 2024_07_XX_YY/],
      ["/api/nothing", 404, /no endpoint \/api\/nothing/],
    ];
    for (const [path, status, message] of cases) {
      const r = await get(base, path);
      expect(r.status, path).toBe(status);
      expect(r.body.error.message, path).toMatch(message);
    }
    const post = await get(base, "/api/predictions", { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });

  it("serves the front end, nothing outside web/, and refuses foreign Host headers", async () => {
    for (const path of ["/", "/game/2025_07_NE_TEN", "/model", "/monitoring", "/registry"]) {
      const r = await get(base, path);
      expect(r.status, path).toBe(200);
      expect(r.body).toContain('<main id="app"');
      expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    }
    expect((await get(base, "/app.js")).headers.get("content-type")).toMatch(/text\/javascript/);
    expect((await get(base, "/charts.js")).status).toBe(200);
    expect((await get(base, "/style.css")).headers.get("content-type")).toMatch(/text\/css/);
    for (const path of ["/package.json", "/%2e%2e/package.json", "/web/app.js", "/app.js.map"]) {
      expect((await get(base, path)).status, path).toBe(404);
    }
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/registry`, { headers: { Host: "attacker.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it("prints server time per page on the full history (not asserted)", async () => {
    const pages = [
      "/api/predictions?season=2025&week=7",
      "/api/predictions?season=2024&week=12",
      "/api/game?game_id=2025_07_NE_TEN",
      "/api/model?season=2025",
      "/api/model?season=2023",
      "/api/monitoring",
      "/api/registry",
    ];
    // A new modification time makes the server forget its cached query results.
    const db = join(cwd, "data", "nfl.duckdb");
    const t = new Date();
    utimesSync(db, t, t);
    const lines = ["server time per page (ms): cold = first view after the database changed, warm = repeat"];
    for (const p of pages) {
      const cold = await get(base, p);
      const warm = await get(base, p);
      expect(cold.status, p).toBe(200);
      lines.push(
        `  ${p.padEnd(40)} cold ${serverMs(cold).toFixed(1).padStart(6)}  warm ${serverMs(warm).toFixed(1).padStart(6)}`,
      );
    }
    console.log(lines.join("\n"));
  });

  it("`nfl-pred serve` starts on the given port, answers, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
      cwd,
      env: { ...process.env, NFLVERSE_MIRROR: MIRROR_DIR, ...CLI_TEST_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.setEncoding("utf8").on("data", (d: string) => {
          out += d;
          const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`serve exited early with ${code}`)));
      });
      const r = await get(url, "/api/predictions?season=2025&week=7");
      expect(r.status).toBe(200);
      expect(r.body.games.length).toBeGreaterThan(10);
    } finally {
      const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    }
    const bad = await runCli(["serve", "--port", "99999"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--port: expected a whole number from 0 to 65535, got '99999'");
    const taken = await runCli(["serve", "--port", String(server.port)], { cwd });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${server.port}: EADDRINUSE`);
  });
});

describe("dashboard API without data", () => {
  it("works with no database file: every page says what to run first", async () => {
    const cwd = tempDir("nflpred-serve-empty-");
    const s = await startServer({ config: configFor(cwd), port: 0, now: () => NOW });
    try {
      const week = await get(s.url, "/api/predictions");
      expect(week.status).toBe(200);
      expect(week.body.games).toEqual([]);
      expect(week.body.setup.message).toMatch(/No database at .*nfl\.duckdb/);
      expect(week.body.setup.commands[0]).toMatch(/^npx nfl-pred ingest /);
      for (const path of [
        "/api/model",
        "/api/game?game_id=2024_07_NE_JAX",
        "/api/predictions?season=2024&week=7",
      ]) {
        const r = await get(s.url, path);
        expect(r.status, path).toBe(200);
        expect(r.body.setup.commands[0], path).toMatch(/ingest/);
      }
      expect((await get(s.url, "/api/registry")).body.setup.commands).toEqual(["npx nfl-pred train"]);
      expect((await get(s.url, "/api/monitoring")).body.setup.commands[0]).toMatch(/monitor/);
      expect((await get(s.url, "/api/predictions?season=x&week=1")).status).toBe(400);
      expect(existsSync(join(cwd, "data", "nfl.duckdb"))).toBe(false);
    } finally {
      await s.close();
    }
  });

  it("an empty (migrated) database says to ingest; a writer holding the lock gets a 503", async () => {
    const cwd = tempDir("nflpred-serve-lock-");
    expect((await runCli(["sql", "SELECT 1"], { cwd })).code).toBe(0);
    const s = await startServer({ config: configFor(cwd), port: 0, now: () => NOW, lockWaitMs: 300 });
    let locker: ChildProcess | undefined;
    try {
      const empty = await get(s.url, "/api/predictions");
      expect(empty.status).toBe(200);
      expect(empty.body.setup.message).toBe("The database has no schedules yet.");
      const db = join(cwd, "data", "nfl.duckdb");
      const script = `import { DuckDBInstance } from "@duckdb/node-api";
        const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect();
        console.log("locked"); setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      });
      locker = child;
      await new Promise<void>((resolve, reject) => {
        child.stdout!.setEncoding("utf8").on("data", (d: string) => d.includes("locked") && resolve());
        child.on("exit", (code) => reject(new Error(`locker exited with ${code}`)));
      });
      // The cached answer needs no lock; a page not seen yet does.
      expect((await get(s.url, "/api/predictions")).status).toBe(200);
      const busy = await get(s.url, "/api/game?game_id=2024_07_NE_JAX");
      expect(busy.status).toBe(503);
      expect(busy.headers.get("retry-after")).toBe("5");
      expect(busy.body.error.code).toBe("LOCKED");
      expect(busy.body.error.message).toMatch(
        new RegExp(`database .*nfl\\.duckdb is locked by process ${child.pid}`),
      );
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      locker = undefined;
      const free = await get(s.url, "/api/game?game_id=2024_07_NE_JAX");
      expect([free.status, free.body.setup.message]).toEqual([200, "The database has no schedules yet."]);
    } finally {
      locker?.kill("SIGKILL");
      await s.close();
    }
  });
});
