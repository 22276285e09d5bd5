import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";
import { RecordingServer, reply } from "./recording-server.ts";

/** Every file under dir (recursively), for the secret scan. */
function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

/** Splits one CSV record, honouring double quotes (PSI bin labels hold commas). */
function splitRecord(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cell);
      cell = "";
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

const csv = (path: string) => {
  const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const cols = splitRecord(header!);
  return {
    cols,
    rows: lines.map((l) => Object.fromEntries(splitRecord(l).map((v, i) => [cols[i]!, v]))),
  };
};

const PNG_MAGIC = "89504e470d0a1a0a";

/**
 * The weekly truth on real schedules: predictions for 2024 weeks 1-6 from a model trained on 2022-2023,
 * then report, monitor (alerts to a recording server on 127.0.0.1) and triggers through the CLI.
 */
describe("report, monitor and triggers end to end", () => {
  const cwd = tempDir("nflpred-weekly-");
  const server = new RecordingServer();
  const MARKER = "SECRET-e2e-5b9c1d";
  let alertEnv: Record<string, string> = {};
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd, env });
  /** Reads the database in-process (no CLI may be running meanwhile). */
  const query = async (q: string) => {
    const db = await openDatabase(join(cwd, "data/nfl.duckdb"), { readOnly: true });
    try {
      return await db.all(q);
    } finally {
      db.close();
    }
  };
  const outputs: string[] = [];
  let predictOut = "";

  beforeAll(async () => {
    await server.start();
    alertEnv = {
      SLACK_WEBHOOK_URL: `${server.base}/services/T0/B0/${MARKER}`,
      PAGERDUTY_ROUTING_KEY: `routing-${MARKER}`,
      PAGERDUTY_EVENTS_URL: `${server.base}/v2/enqueue`,
    };
    for (const args of [
      ["ingest", "--seasons", "2021-2024", "--datasets", "schedules,teams"],
      ["build-features", "--seasons", "2022-2024"],
      ["train", "--seasons", "2022-2023"],
      ["predict", "--season", "2024", "--week", "1-6"],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      if (args[0] === "predict") predictOut = r.stdout;
    }
  }, 120_000);

  afterAll(() => server.stop());

  it("predict --week 1-6 scores each week once, every game at its T-60m, and says so per week", async () => {
    const stored = await query(
      `SELECT p.week, count(*) AS n, count(DISTINCT p.game_id) AS games,
              (SELECT count(*) FROM schedules s WHERE s.season = 2024 AND s.week = p.week) AS scheduled
       FROM predictions p WHERE p.season = 2024 AND p.stage = 'T-60m' GROUP BY p.week ORDER BY p.week`,
    );
    expect(stored.map((r) => Number(r.week))).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of stored) {
      expect(Number(r.n)).toBe(Number(r.scheduled));
      expect(Number(r.games)).toBe(Number(r.scheduled));
      expect(predictOut).toContain(`Generated ${r.n} predictions for season 2024 week ${r.week}.`);
    }
  });

  it("report writes the metrics and reliability files and the reports rows, idempotently", async () => {
    const r = await cli(["report", "--season", "2024", "--week", "6"]);
    expect(r.code, r.stderr).toBe(0);
    outputs.push(r.stdout, r.stderr);
    const dir = join(cwd, "data/reports");
    const m = csv(join(dir, "metrics_s2024_w6.csv"));
    expect(m.cols).toEqual([
      "season",
      "week",
      "metric_window",
      "segment",
      "weeks",
      "brier_score",
      "log_loss",
      "accuracy",
      "ece",
      "n",
    ]);
    expect(m.rows.map((x) => `${x.metric_window}/${x.segment}`)).toEqual([
      "season_to_date/all",
      "season_to_date/favourite",
      "season_to_date/underdog",
      "rolling_4/all",
      "rolling_4/favourite",
      "rolling_4/underdog",
      "week/all",
      "week/favourite",
      "week/underdog",
    ]);
    // Independent figures straight from the tables (latest T-60m prediction per game, ties 0.5).
    const [truth] = await query(`
      WITH p AS (
        SELECT p.week, p.p_home_win AS p,
               CASE WHEN s.home_score > s.away_score THEN 1.0 WHEN s.home_score < s.away_score THEN 0.0 ELSE 0.5 END AS y
        FROM predictions p JOIN schedules s USING (game_id)
        WHERE p.season = 2024 AND p.week <= 6 AND p.stage = 'T-60m' AND s.home_score IS NOT NULL)
      SELECT count(*) AS n, avg((p - y) ^ 2) AS brier,
             count(*) FILTER (WHERE week >= 3) AS n4, avg((p - y) ^ 2) FILTER (WHERE week >= 3) AS brier4,
             count(*) FILTER (WHERE week = 6) AS n1, count(*) FILTER (WHERE p >= 0.5) AS nfav FROM p`);
    const row = (w: string, s: string) => m.rows.find((x) => x.metric_window === w && x.segment === s)!;
    expect(Number(row("season_to_date", "all").n)).toBe(Number(truth!.n));
    expect(Number(row("season_to_date", "all").brier_score)).toBeCloseTo(Number(truth!.brier), 5);
    expect(row("rolling_4", "all").weeks).toBe("3-6");
    expect(Number(row("rolling_4", "all").n)).toBe(Number(truth!.n4));
    expect(Number(row("rolling_4", "all").brier_score)).toBeCloseTo(Number(truth!.brier4), 5);
    expect(Number(row("week", "all").n)).toBe(Number(truth!.n1));
    expect(Number(row("season_to_date", "favourite").n)).toBe(Number(truth!.nfav));

    const rel = csv(join(dir, "reliability_s2024_w6.csv"));
    expect(rel.cols).toEqual([
      "season",
      "week",
      "metric_window",
      "segment",
      "bin",
      "lower",
      "upper",
      "count",
      "mean_predicted",
      "observed_rate",
    ]);
    expect(rel.rows).toHaveLength(90);
    const stdBins = rel.rows.filter((x) => x.metric_window === "season_to_date" && x.segment === "all");
    expect(stdBins.reduce((s, x) => s + Number(x.count), 0)).toBe(Number(truth!.n));
    for (const png of ["reliability", "reliability_favourite", "reliability_underdog"]) {
      const bytes = readFileSync(join(dir, `${png}_s2024_w6.png`));
      expect(bytes.subarray(0, 8).toString("hex")).toBe(PNG_MAGIC);
      expect(bytes.length).toBeGreaterThan(20_000);
    }

    const stored = () =>
      query(
        "SELECT metric_window, segment, brier_score, n FROM reports WHERE season = 2024 AND week = 6 ORDER BY ALL",
      );
    const before = await stored();
    expect(before).toHaveLength(9);
    const csvBefore = readFileSync(join(dir, "metrics_s2024_w6.csv"), "utf8");
    const again = await cli(["report", "--season", "2024", "--week", "6"]);
    expect(again.code, again.stderr).toBe(0);
    expect(await stored()).toEqual(before);
    expect(readFileSync(join(dir, "metrics_s2024_w6.csv"), "utf8")).toBe(csvBefore);
  });

  it("report fails with exit 1 and a clear message for a week without predictions", async () => {
    const r = await cli(["report", "--season", "2024", "--week", "8"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no T-60m predictions for season 2024 week 8/);
    expect(r.stderr).toMatch(/hint: run `npx nfl-pred snapshot/);
  });

  it("monitor writes every file, prints the decision and pages once per season-week", async () => {
    server.reset();
    const r = await cli(["monitor", "--season", "2024", "--week", "6"], alertEnv);
    expect(r.code, r.stderr).toBe(0);
    outputs.push(r.stdout, r.stderr);
    const dir = join(cwd, "data/reports/monitoring/season_2024/week_06");
    expect(readdirSync(dir).sort()).toEqual([
      "expanded_metrics_s2024_w6.csv",
      "monitoring_s2024_w6.json",
      "psi_bins_s2024_w6.csv",
      "psi_summary_s2024_w6.csv",
      "psi_top_s2024_w6.png",
      "reliability_s2024_w6.png",
      "rolling_metrics_s2024_w6.png",
    ]);
    const psi = csv(join(dir, "psi_summary_s2024_w6.csv"));
    expect(psi.cols.slice(0, 4)).toEqual(["feature", "psi", "threshold", "breached"]);
    expect(psi.rows.map((x) => x.feature)).not.toContain("label");
    expect(psi.rows.map((x) => x.feature)).toContain("elo_pre");
    for (const x of psi.rows) expect(x.breached).toBe(String(Number(x.psi) >= 0.2));
    const bins = csv(join(dir, "psi_bins_s2024_w6.csv"));
    const eloBins = bins.rows.filter((x) => x.feature === "elo_pre");
    expect(eloBins.at(-1)!.label).toBe("null");
    expect(eloBins.reduce((s, x) => s + Number(x.cur_count), 0)).toBe(Number(psi.rows[0]!.current_n));

    const ex = csv(join(dir, "expanded_metrics_s2024_w6.csv"));
    for (const c of ["metric_window", "brier_score", "log_loss", "n"]) expect(ex.cols).toContain(c);
    expect(ex.rows.filter((x) => x.metric_window === "weekly").map((x) => Number(x.week))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(ex.rows.filter((x) => x.metric_window !== "weekly").map((x) => x.metric_window)).toEqual([
      "season_to_date",
      "rolling_4",
    ]);
    const report = csv(join(cwd, "data/reports/metrics_s2024_w6.csv"));
    const rolling = ex.rows.find((x) => x.metric_window === "rolling_4")!;
    expect(rolling.brier_score).toBe(
      report.rows.find((x) => x.metric_window === "rolling_4" && x.segment === "all")!.brier_score,
    );
    for (const png of ["psi_top", "rolling_metrics", "reliability"]) {
      expect(
        readFileSync(join(dir, `${png}_s2024_w6.png`))
          .subarray(0, 8)
          .toString("hex"),
      ).toBe(PNG_MAGIC);
    }

    // The model was trained through 2023; 2024 flips the kickoff flags: a retrain trigger.
    expect(r.stdout).toMatch(/Retrain decision for season 2024 week 6: RETRAIN TRIGGERED/);
    expect(r.stdout).toMatch(
      /rule flags flipped: kickoff_2024plus false -> true, kickoff_touchback true -> false/,
    );
    expect(r.stdout).toMatch(/\[(ok|FIRED)\] Brier: 4-week rolling Brier/);
    const summary = JSON.parse(readFileSync(join(dir, "monitoring_s2024_w6.json"), "utf8"));
    expect(summary.triggers.triggered).toBe(true);
    expect(summary.baseline.source).toBe("season 2024 weeks 1-3");
    expect(summary.alerts.outcomes.map((o: { status: string }) => o.status)).toEqual(["sent", "sent"]);
    expect(summary.psi.null_in_current).toEqual([]);
    // The model was trained through 2023, so 2024's scores are out of sample: no in-sample note.
    expect(r.stdout).not.toContain("in its training window");
    expect(r.stdout).not.toMatch(/null in every current row/);
    // The summary keeps the notes printed beside the table, for the dashboard.
    expect(summary.notes).toHaveLength(1);
    expect(summary.notes[0]).toMatch(
      /^\d+ of \d+ monitored features breach PSI 0\.2 \(sampling noise alone gives about/,
    );
    expect(r.stdout).toContain(summary.notes[0]);

    expect(server.requests.map((q) => q.url)).toEqual([`/services/T0/B0/${MARKER}`, "/v2/enqueue"]);
    const event = JSON.parse(server.requests[1]!.body);
    expect(event).toMatchObject({
      routing_key: `routing-${MARKER}`,
      event_action: "trigger",
      dedup_key: "nfl-pred-s2024-w6",
      payload: { severity: "error", source: "nfl-pred monitor" },
    });
    expect(event.payload.custom_details.triggered).toBe(true);
    expect(JSON.parse(server.requests[0]!.body).text).toMatch(/Retrain triggered for season 2024 week 6/);

    server.reset();
    const again = await cli(["monitor", "--season", "2024", "--week", "6"], alertEnv);
    expect(again.code, again.stderr).toBe(0);
    outputs.push(again.stdout, again.stderr);
    expect(server.requests).toHaveLength(0);
    expect(again.stdout).toMatch(/Alert slack: already sent for nfl-pred-s2024-w6/);
    expect(again.stdout).toMatch(/Alert pagerduty: already sent/);
  });

  it("a failed alert exits 4 after the files are written", async () => {
    server.reset(reply(404, "no_service"));
    const r = await cli(["monitor", "--season", "2024", "--week", "5"], {
      SLACK_WEBHOOK_URL: alertEnv.SLACK_WEBHOOK_URL!,
    });
    outputs.push(r.stdout, r.stderr);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/alert delivery failed on slack; the monitoring files are written/);
    expect(r.stdout).toMatch(/Alert slack: failed: HTTP 404 \(no_service\)/);
    expect(r.stdout).toMatch(/Alert pagerduty: skipped: PAGERDUTY_ROUTING_KEY is not set/);
    const dir = join(cwd, "data/reports/monitoring/season_2024/week_05");
    expect(readdirSync(dir)).toHaveLength(7);
    const summary = JSON.parse(readFileSync(join(dir, "monitoring_s2024_w5.json"), "utf8"));
    expect(summary.alerts.outcomes.map((o: { status: string }) => o.status)).toEqual(["failed", "skipped"]);
    expect(server.requests).toHaveLength(1);
    const [sent] = await query("SELECT count(*) AS n FROM alerts_sent WHERE dedup_key = 'nfl-pred-s2024-w5'");
    expect(Number(sent!.n)).toBe(0);
  });

  it("no secret reaches stdout, stderr or any written file", () => {
    expect(outputs.length).toBeGreaterThan(0);
    for (const o of outputs) expect(o).not.toContain(MARKER);
    for (const file of allFiles(cwd)) {
      expect(readFileSync(file).toString("latin1").includes(MARKER), file).toBe(false);
    }
  });

  it("triggers exits 10 when triggered, 0 when not, and says when weeks are too few", async () => {
    const fired = await cli(["triggers", "--season", "2024", "--week", "6"]);
    expect(fired.code, fired.stderr).toBe(10);
    expect(fired.stdout).toMatch(/RETRAIN TRIGGERED/);
    expect(fired.stderr).toMatch(/retrain triggered for season 2024 week 6/);

    // No flag flips, PSI needs more features than exist, a generous baseline: nothing fires.
    const flags = join(cwd, "flags.yml");
    writeFileSync(flags, "flags:\n  steady:\n    description: always on\n    seasons: [2000+]\n");
    const calm = { NFL_PRED__MONITORING__RETRAIN_TRIGGERS__PSI_FEATURE_COUNT: "1000" };
    const quiet = await cli(
      ["triggers", "--season", "2024", "--week", "6", "--rule-flags", flags, "--baseline-brier", "0.4"],
      calm,
    );
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/no retrain/);
    expect(quiet.stdout).toMatch(
      /\[ok\] Brier: 4-week rolling Brier \d\.\d{4} is -\d+\.\d% against the baseline 0\.4000/,
    );

    const early = await cli(
      [
        "triggers",
        "--season",
        "2024",
        "--week",
        "3",
        "--rule-flags",
        flags,
        "--baseline-brier",
        "0.1",
        "--json",
      ],
      calm,
    );
    expect(early.code, early.stderr).toBe(0);
    const decision = JSON.parse(early.stdout);
    expect(decision.triggered).toBe(false);
    expect(decision.checks.brier.status).toBe("insufficient");
    expect(decision.checks.brier.detail).toBe(
      "not enough weeks for the 4-week rolling Brier: 3 weekly scores so far",
    );
  });

  it("a feature null in every row of the week is reported as missing source data, not drift", async () => {
    // What a week looks like when a dataset was not ingested for it: its features are null throughout.
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"));
    await db.run("UPDATE features SET elo_pre = NULL, power_rating = NULL WHERE season = 2024 AND week = 6");
    db.close();
    const r = await cli(["monitor", "--season", "2024", "--week", "6", "--no-alert"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /2 monitored features are null in every current row but present in the reference \(groups: strength\): elo_pre, power_rating/,
    );
    expect(r.stdout).toContain("npx nfl-pred ingest --seasons 2024");
    const dir = join(cwd, "data/reports/monitoring/season_2024/week_06");
    const summary = JSON.parse(readFileSync(join(dir, "monitoring_s2024_w6.json"), "utf8"));
    expect([...summary.psi.null_in_current].sort()).toEqual(["elo_pre", "power_rating"]);
    expect(summary.notes[1]).toMatch(/^2 monitored features are null in every current row/);
    const psi = csv(join(dir, "psi_summary_s2024_w6.csv"));
    const elo = psi.rows.find((x) => x.feature === "elo_pre")!;
    expect([elo.current_null_share, elo.reference_null_share]).toEqual(["1", "0"]);
  });
});
