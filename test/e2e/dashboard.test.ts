import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { CLI_TEST_ENV, runCli } from "../helpers/cli.ts";
import { CLI, MIRROR_DIR, REPO_ROOT, tempDir } from "../helpers/mirror.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(REPO_ROOT, "test-artifacts");

/** The real `nfl-pred serve` on a free port; resolves with its URL. */
function serve(cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
    cwd,
    env: { ...process.env, NFLVERSE_MIRROR: MIRROR_DIR, ...CLI_TEST_ENV },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

const HAVE_CHROMIUM = existsSync(CHROMIUM);
const TITLE = HAVE_CHROMIUM
  ? `dashboard in headless Chromium (${CHROMIUM})`
  : `dashboard in headless Chromium: SKIPPED, ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`;

describe.skipIf(!HAVE_CHROMIUM)(TITLE, () => {
  const cwd = tempDir("nflpred-e2e-");
  let server: { child: ChildProcess; url: string } | undefined;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let weekGames: string[] = [];

  beforeAll(async () => {
    for (const args of [
      ["ingest", "--seasons", "2019-2024", "--datasets", "schedules,teams"],
      ["build-features", "--seasons", "2019-2024"],
      ["train", "--seasons", "2019-2023"],
      ["snapshot", "--season", "2024", "--week", "7", "--full-timeline"],
    ]) {
      const r = await runCli(args, { cwd });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    const games = await runCli(
      [
        "sql",
        "SELECT game_id FROM schedules WHERE season = 2024 AND week = 7 ORDER BY game_id",
        "--format",
        "json",
      ],
      { cwd },
    );
    weekGames = (JSON.parse(games.stdout) as { game_id: string }[]).map((g) => g.game_id);
    server = await serve(cwd);
    const { chromium } = await import("playwright-core");
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "nflpred-chromium-")), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (server) {
      const exited = new Promise((resolve) => server!.child.on("exit", resolve));
      server.child.kill("SIGTERM");
      await exited;
    }
  });

  const dbPath = join(cwd, "data", "nfl.duckdb");
  /** One write to the test's database while the server runs (it opens read-only per request). */
  const edit = async (q: string) => {
    const db = await openDatabase(dbPath);
    try {
      await db.run(q);
    } finally {
      db.close();
    }
  };

  const ready = async () => {
    await page.waitForSelector("main[data-state=ready], main[data-state=error]");
    expect(await page.getAttribute("main", "data-state")).toBe("ready");
  };

  it("the week view shows every game of the week with its prediction", async () => {
    const apiCalls: string[] = [];
    const onRequest = (r: { url: () => string }) => {
      if (r.url().includes("/api/")) apiCalls.push(r.url());
    };
    page.on("request", onRequest);
    await page.goto(`${server!.url}/`);
    await ready();
    page.off("request", onRequest);
    expect(apiCalls).toEqual([`${server!.url}/api/predictions`]);
    expect(await page.textContent("h1")).toBe("Season 2024 · Week 7");
    const rows = page.locator("table.games tbody tr");
    expect(await rows.count()).toBe(weekGames.length);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-game-id")));
    expect([...ids].sort()).toEqual(weekGames);
    expect(weekGames).toContain("2024_07_NE_JAX");
    const jax = page.locator('tr[data-game-id="2024_07_NE_JAX"]');
    expect(await jax.textContent()).toContain("New England Patriots");
    expect(await jax.textContent()).toContain("Jacksonville Jaguars");
    expect(await jax.locator(".pbar").count()).toBe(1);
    expect(await jax.locator(".stage.done").count()).toBe(5);
    expect(await page.locator("td .tier").count()).toBe(weekGames.length);
    // Every game shows its reasons, or says that no feature moved it by the 0.03-logit floor.
    const reasonCells = await rows.evaluateAll((trs) =>
      trs.map((tr) => {
        const td = tr.children[5]!;
        const items = td.querySelectorAll("ul.reasons li").length;
        return items > 0 || (td.textContent ?? "").includes("no feature moves it by 0.03 logit or more");
      }),
    );
    expect(reasonCells).toEqual(weekGames.map(() => true));
    expect(await page.locator("[data-results-missing]").count()).toBe(0);
    // The model was trained on 2019–2023: 2024 is out of sample.
    expect(await page.locator("[data-in-sample]").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-week.png"), fullPage: true });
  });

  it("warns on the week view while an earlier game's result is missing, and stops once it is back", async () => {
    const db = await openDatabase(dbPath, { readOnly: true });
    const last = await db.one<{ game_id: string; home_score: number; away_score: number; k: bigint }>(
      `SELECT game_id, home_score, away_score, epoch_ms(kickoff_utc) AS k FROM schedules
       WHERE season = 2024 AND week = 6 ORDER BY kickoff_utc DESC, game_id LIMIT 1`,
    );
    const week7 = await db.one<{ k: bigint }>(
      "SELECT epoch_ms(min(kickoff_utc)) AS k FROM schedules WHERE season = 2024 AND week = 7",
    );
    db.close();
    const day = new Date(Number(last!.k)).toISOString().slice(0, 10);
    const before = new Date(Number(week7!.k)).toISOString().replace(".000Z", "Z");
    const id = last!.game_id;
    await edit(`UPDATE schedules SET home_score = NULL, away_score = NULL WHERE game_id = '${id}'`);
    try {
      await page.goto(`${server!.url}/?season=2024&week=7`);
      await ready();
      const banner = page.locator('[data-results-missing="1"]');
      expect(await banner.count()).toBe(1);
      const text = (await banner.textContent()) ?? "";
      expect(text).toContain(
        `1 game kicked off on ${day} before ${before} with no result stored (${id}): features built now count them as not played.`,
      );
      expect(await banner.locator("pre").textContent()).toBe(
        "npx nfl-pred ingest --seasons 2024 --datasets schedules",
      );
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-week-results-missing.png"), fullPage: true });
    } finally {
      await edit(
        `UPDATE schedules SET home_score = ${last!.home_score}, away_score = ${last!.away_score} WHERE game_id = '${id}'`,
      );
    }
    await page.reload();
    await ready();
    expect(await page.locator("[data-results-missing]").count()).toBe(0);
  });

  it("says when a replayed week's predictions come from a model trained on those games", async () => {
    const r = await runCli(["predict", "--season", "2023", "--week", "10"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const n = /^Generated (\d+) predictions/m.exec(r.stdout)?.[1];
    const modelId = /^Using model (\S+)/m.exec(r.stdout)?.[1];
    await page.goto(`${server!.url}/?season=2023&week=10`);
    await ready();
    const banner = page.locator(`[data-in-sample="${n}"]`);
    expect(await banner.count()).toBe(1);
    expect(await banner.textContent()).toMatch(
      new RegExp(
        `${n} of the ${n} predictions come from a model trained on these games: ${n} by ${modelId} \\(seasons 2019–2023, through 2024-02-1\\d\\)`,
      ),
    );
    expect(await banner.locator("pre").textContent()).toBe("npx nfl-pred backtest --seasons 2023");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-week-in-sample.png"), fullPage: true });
    // So does each game's page.
    const gameId = await page.locator("tr[data-game-id]").first().getAttribute("data-game-id");
    await page.goto(`${server!.url}/game/${gameId}`);
    await ready();
    expect((await page.locator("ul.notes li").allTextContents()).join("\n")).toMatch(
      new RegExp(`this game is in the training window of ${modelId} \\(seasons 2019–2023, .*in-sample`),
    );
    // The model view scores the same stored predictions for the season, so it says the same.
    await page.goto(`${server!.url}/model?season=2023`);
    await ready();
    const onModel = page.locator(`[data-in-sample="${n}"]`);
    expect(await onModel.count()).toBe(1);
    expect(await onModel.textContent()).toMatch(
      new RegExp(
        `${n} of the ${n} predictions come from a model trained on these games: ${n} by ${modelId} .*stored-prediction scores, curves and reliability below are in-sample`,
      ),
    );
    await page.goto(`${server!.url}/model?season=2024`);
    await ready();
    expect(await page.locator("[data-in-sample]").count()).toBe(0);
    // Back to the week the next test opens a game from.
    await page.goto(`${server!.url}/?season=2024&week=7`);
    await ready();
    expect(await page.locator("[data-in-sample]").count()).toBe(0);
  });

  it("marks a reason built on an input that had no value as (missing)", async () => {
    const where = "game_id = '2024_07_NE_JAX' AND stage = 'T-60m'";
    const ro = await openDatabase(dbPath, { readOnly: true });
    const before = await ro.one<{ reasons: string }>(
      `SELECT CAST(reasons AS VARCHAR) AS reasons FROM predictions WHERE ${where}`,
    );
    ro.close();
    const flagged = JSON.stringify([{ feature: "diff_qb_value_delta", logit: -0.26, missing: true }]);
    await edit(`UPDATE predictions SET reasons = '${flagged}' WHERE ${where}`);
    try {
      await page.goto(`${server!.url}/?season=2024&week=7`);
      await ready();
      const reasons = page.locator('tr[data-game-id="2024_07_NE_JAX"] ul.reasons li');
      expect(await reasons.allTextContents()).toEqual(["diff_qb_value_delta (missing) → NE (−0.26)"]);
    } finally {
      await edit(
        `UPDATE predictions SET reasons = '${before!.reasons.replaceAll("'", "''")}' WHERE ${where}`,
      );
    }
    await page.reload();
    await ready();
    expect(await page.locator('tr[data-game-id="2024_07_NE_JAX"]').textContent()).not.toContain("(missing)");
  });

  it("opens a game page: probability across the ladder and feature contributions", async () => {
    await page.click('tr[data-game-id="2024_07_NE_JAX"] a.matchup');
    await page.waitForURL(/\/game\/2024_07_NE_JAX$/);
    await ready();
    expect(await page.textContent("h1")).toMatch(/New England Patriots.*Jacksonville Jaguars/);
    expect(await page.locator('svg[data-chart="ladder"] > title').textContent()).toMatch(
      /Jacksonville Jaguars win/,
    );
    expect(await page.locator('svg[data-chart="ladder"] [data-series="model"] circle').count()).toBe(5);
    expect(await page.locator('svg[data-chart="contributions"] [data-feature]').count()).toBeGreaterThan(3);
    expect(await page.locator("tr[data-stage]").count()).toBe(5);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-game.png"), fullPage: true });
  });

  it("the model page draws the reliability diagram", async () => {
    await page.click('nav a[data-nav="model"]');
    await page.waitForURL(/\/model$/);
    await ready();
    const chart = page.locator('svg[data-chart="reliability"]');
    expect(await chart.count()).toBe(1);
    expect(await chart.locator("> title").textContent()).toMatch(/^Reliability: predicted vs observed/);
    expect(await chart.getAttribute("role")).toBe("img");
    expect(await chart.locator("circle").count()).toBeGreaterThan(2);
    expect(await page.locator('tr[data-source="model"]').first().textContent()).toContain(
      String(weekGames.length),
    );
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-model.png"), fullPage: true });
  });

  it("the model page shows the backtest by phase of the season, with calibration slopes", async () => {
    const r = await runCli(["backtest", "--seasons", "2023", "--retrain", "seasonly"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    // The CLI's own phase table gives the game counts the page must show.
    const printed = (phase: string) =>
      new RegExp(`^${phase.replace("+", "\\+")}\\s+(\\d+)\\s`, "m").exec(r.stdout)?.[1];
    await page.goto(`${server!.url}/model`);
    await ready();
    const rows = page.locator("table[data-backtest-phases] tbody tr");
    expect(await rows.count()).toBe(4);
    for (const phase of ["weeks 1-4", "weeks 5-9", "weeks 10+", "playoffs"]) {
      const cells = await page.locator(`tr[data-phase="${phase}"] td`).allTextContents();
      expect(cells[1]).toBe(printed(phase));
      // Brier to four places, slopes to two.
      expect(cells.slice(2, 5).every((c) => /^0\.\d{4}$/.test(c))).toBe(true);
      expect(cells.slice(5).every((c) => /^-?\d+\.\d{2} ± \d+\.\d{2}$/.test(c))).toBe(true);
    }
    await page.locator("table[data-backtest-phases]").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-model-backtest.png"), fullPage: true });
  });

  it("monitoring and registry render, saying what is missing", async () => {
    await page.click('nav a[data-nav="monitoring"]');
    await page.waitForURL(/\/monitoring$/);
    await ready();
    expect(await page.locator("[data-setup] pre").textContent()).toMatch(/npx nfl-pred monitor --season/);
    await page.click('nav a[data-nav="registry"]');
    await page.waitForURL(/\/registry$/);
    await ready();
    expect(await page.locator("table.models tbody tr").count()).toBe(1);
    expect(await page.locator("table.models tbody tr").textContent()).toContain("mlruns/");
  });

  it("monitoring shows the notes monitor printed beside its decision", async () => {
    const r = await runCli(["monitor", "--season", "2024", "--week", "7", "--no-alert"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const noise =
      /^\d+ of \d+ monitored features breach PSI .*sampling noise alone gives about [\d.]+.*$/m.exec(
        r.stdout,
      )?.[0];
    expect(noise).toBeDefined();
    await page.goto(`${server!.url}/monitoring?season=2024&week=7`);
    await ready();
    const notes = page.locator("[data-monitor-notes] li");
    expect(await notes.allTextContents()).toContain(noise);
  });

  it("no console errors, failed requests or error responses on any page", () => {
    expect(problems).toEqual([]);
  });
});
