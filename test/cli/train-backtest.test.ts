import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { LabelledPair } from "../../src/cli/training-data.ts";
import { type BacktestRow, walkForward } from "../../src/cli/walk-forward.ts";
import { MS_DAY, MS_HOUR } from "../../src/domain/index.ts";
import { FEATURES } from "../../src/features/index.ts";
import { createRng, isXgboostAvailable, sigmoid, type TrainSettings } from "../../src/model/index.ts";
import { readArtifact } from "../../src/registry/index.ts";
import { openDatabase } from "../../src/storage/index.ts";
import { type CliResult, runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

/** First 8 bytes of every PNG file, then the IHDR chunk with width and height. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 8).equals(PNG_SIGNATURE), `${path} is not a PNG`).toBe(true);
  expect(b.subarray(12, 16).toString("latin1")).toBe("IHDR");
  expect(b.subarray(-8, -4).toString("latin1")).toBe("IEND");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/**
 * `train` and `backtest` end to end on real schedules 2016–2024: artifact, checksum, reliability chart,
 * an MLflow run readable by `mlflow ui`, and a walk-forward backtest whose stored predictions agree with
 * its printed metrics.
 */
describe("train and backtest on real schedules", () => {
  const cwd = tempDir("nflpred-train-");
  const models = join(cwd, "data", "models");
  const cli = (...args: string[]) => runCli(args, { cwd });
  const query = async <T = Record<string, unknown>>(sql: string): Promise<T[]> => {
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"), { readOnly: true });
    try {
      return (await db.all(sql)) as T[];
    } finally {
      db.close();
    }
  };
  let train: CliResult;
  let backtest: CliResult;
  let runId = "";
  let artifactFile = "";

  beforeAll(async () => {
    for (const args of [
      ["ingest", "--seasons", "2016-2024", "--datasets", "schedules"],
      ["build-features", "--seasons", "2016-2024"],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    train = await cli("train", "--seasons", "2020-2024", "--holdout-weeks", "6");
    backtest = await cli("backtest", "--seasons", "2024", "--retrain", "seasonly");
    runId = /^MLflow run ID: ([0-9a-f]{32})$/m.exec(train.stdout)?.[1] ?? "";
    artifactFile = /^Model artifact: (\S+\.model\.json) /m.exec(train.stdout)?.[1] ?? "";
  }, 150_000);

  it("train prints an MLflow run id and writes the artifact, its sha256 and a reliability PNG", () => {
    expect(train.code, train.stderr).toBe(0);
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(artifactFile.startsWith(models)).toBe(true);
    const { artifact, sha256 } = readArtifact(artifactFile);
    const id = artifact.modelId;
    expect(artifactFile).toBe(join(models, `${id}.model.json`));
    expect(readFileSync(`${artifactFile}.sha256`, "utf8")).toBe(`${sha256}  ${id}.model.json\n`);
    expect(sha256).toBe(createHash("sha256").update(readFileSync(artifactFile)).digest("hex"));
    expect(artifact).toMatchObject({ featureSet: "mvp_v1", trackingRunId: runId });
    expect(artifact.trainingWindow.seasons).toEqual([2020, 2021, 2022, 2023, 2024]);
    const size = pngSize(join(models, `reliability_${id}.png`));
    expect(size.width).toBeGreaterThan(200);
    expect(size.height).toBeGreaterThan(200);
  });

  it("train trains on every completed game of the window", async () => {
    const [s] = await query<{ n: number }>(
      "SELECT count(*) AS n FROM schedules WHERE season BETWEEN 2020 AND 2024 AND home_score IS NOT NULL",
    );
    const { artifact } = readArtifact(artifactFile);
    expect(artifact.trainingWindow.games).toBe(s?.n);
    expect(train.stdout).toContain(`Trained margin on ${s?.n} games`);
    // The default margin model states what it learned, in points.
    expect(train.stdout).toMatch(/^Points per unit: .*diff_power_rating \+\d/m);
  });

  it("train does not move data/models/current", () => {
    expect(() => lstatSync(join(models, "current"))).toThrow();
    expect(readdirSync(models).filter((f) => f.endsWith(".model.json"))).toHaveLength(1);
  });

  it("train records a finished MLflow run with params, metrics and tags", () => {
    const exp = readdirSync(join(cwd, "mlruns")).find((e) => existsSync(join(cwd, "mlruns", e, runId)));
    expect(exp).toBeDefined();
    const run = join(cwd, "mlruns", exp!, runId);
    const meta = readFileSync(join(run, "meta.yaml"), "utf8");
    expect(meta).toMatch(/^status: 3$/m);
    expect(meta).toMatch(new RegExp(`^run_id: ${runId}$`, "m"));
    const read = (kind: string, key: string) => readFileSync(join(run, kind, key), "utf8");
    expect(read("params", "feature_set")).toBe("mvp_v1");
    expect(read("params", "seasons")).toBe("2020,2021,2022,2023,2024");
    const { artifact } = readArtifact(artifactFile);
    expect(read("tags", "feature_set")).toBe("mvp_v1");
    expect(read("tags", "model_id")).toBe(artifact.modelId);
    expect(read("tags", "code_version")).toMatch(/\S/);
    const metric = (key: string) => {
      const [ts, value, step] = read("metrics", key).trim().split(" ");
      expect(Number(ts)).toBeGreaterThan(0);
      expect(step).toBe("0");
      return Number(value);
    };
    // The last 6 weeks of 2024: weeks 17 and 18 (16 games each) and the 13 playoff games.
    expect(read("params", "holdout_weeks")).toBe("6");
    expect(metric("holdout_n")).toBe(45);
    expect(train.stdout).toContain("Holdout (last 6 weeks, n=45)");
    const holdout = metric("holdout_brier");
    expect(holdout).toBeGreaterThan(0.15);
    expect(holdout).toBeLessThan(0.3);
    expect(holdout).toBe(artifact.metrics.holdout_brier);
    const fold1 = metric("cv_fold1_brier");
    expect(fold1).toBeGreaterThan(0.1);
    expect(fold1).toBeLessThan(0.35);
    expect(train.stdout).toContain(`Brier ${holdout.toFixed(4)}`);
    // The holdout's calibration slope, with the standard error that says how little 45 games settle.
    const slopeSe = metric("holdout_reliability_slope_se");
    expect(slopeSe).toBeGreaterThan(0.05);
    expect(train.stdout).toContain(
      `calibration slope ${metric("holdout_reliability_slope").toFixed(2)} (s.e. ${slopeSe.toFixed(2)})`,
    );
    // 45 games: a standard error of a few hundredths, printed beside the score and tracked with it.
    const se = metric("holdout_brier_se");
    expect(se).toBeGreaterThan(0.01);
    expect(se).toBeLessThan(0.06);
    expect(se).toBe(artifact.metrics.holdout_brier_se);
    expect(train.stdout).toContain(`Brier ${holdout.toFixed(4)} (s.e. ${se.toFixed(4)})`);
  });

  it("backtest prints model, Elo and market rows and writes the CSV and PNG reports", () => {
    expect(backtest.code, backtest.stderr).toBe(0);
    for (const source of ["model", "elo", "market"]) {
      expect(backtest.stdout).toMatch(new RegExp(`^overall\\s+${source}\\s+285\\s`, "m"));
    }
    // Paired differences with week-clustered standard errors (2024: 285 games in 22 weeks).
    expect(backtest.stdout).toMatch(
      /^Model − Elo: Brier [+−]\d\.\d{4} \(SE \d\.\d{4}, 285 games in 22 weeks\)$/m,
    );
    expect(backtest.stdout).toMatch(/^Model − market: Brier [+−]\d\.\d{4} \(SE /m);
    const reports = readdirSync(join(cwd, "data", "reports"));
    const csv = reports.find((f) => /^backtest_.+\.csv$/.test(f));
    expect(csv).toBeDefined();
    // Brier by season, and the reliability of model, Elo and market on the same games.
    const run = csv!.replace(/\.csv$/, "");
    const charts = [`${run}.png`, `${run}_reliability.png`].map((f) => join(cwd, "data", "reports", f));
    expect(backtest.stdout).toContain(`Charts: ${charts.join(", ")}`);
    for (const png of charts) expect(pngSize(png).width).toBeGreaterThan(200);
    const lines = readFileSync(join(cwd, "data", "reports", csv!), "utf8")
      .trim()
      .split("\n");
    expect(lines[0]).toBe("scope,source,n,brier_score,log_loss,accuracy,ece,slope,slope_se,bias");
    expect(lines.some((l) => l.startsWith("2024,market,285,"))).toBe(true);
    // The phases of the season partition the games: 2024 had 64 games in weeks 1-4 and 13 playoff games.
    const phaseN = (phase: string) =>
      Number(new RegExp(`^${phase}\\s+(\\d+)\\s`, "m").exec(backtest.stdout)?.[1] ?? Number.NaN);
    expect(phaseN("weeks 1-4")).toBe(64);
    expect(phaseN("playoffs")).toBe(13);
    expect(phaseN("weeks 1-4") + phaseN("weeks 5-9") + phaseN("weeks 10\\+") + phaseN("playoffs")).toBe(285);
    expect(lines.some((l) => /^weeks 1-4,model,64,/.test(l))).toBe(true);
    // Calibration per phase, for the model and both baselines.
    const calibration = backtest.stdout.split("Calibration by phase")[1] ?? "";
    expect(calibration).toMatch(/^weeks 1-4\s+(-?\d+\.\d\d ± \d+\.\d\d\s+){3}[+−]0\.\d{3}\s/m);
  });

  it("backtest stores one prediction per 2024 game, and its printed Brier is theirs", async () => {
    const rows = await query<{
      game_id: string;
      run_id: string;
      model_id: string;
      p_home_win: number;
      label: number;
    }>("SELECT game_id, run_id, model_id, p_home_win, label FROM backtest_predictions");
    const games = await query<{ game_id: string; label: number }>(
      `SELECT game_id, CASE WHEN home_score > away_score THEN 1 WHEN home_score < away_score THEN 0 ELSE 0.5 END AS label
       FROM schedules WHERE season = 2024`,
    );
    expect(rows.map((r) => r.game_id).sort()).toEqual(games.map((g) => g.game_id).sort());
    const labels = new Map(games.map((g) => [g.game_id, g.label]));
    for (const r of rows) {
      expect(r.p_home_win).toBeGreaterThan(0);
      expect(r.p_home_win).toBeLessThan(1);
      expect(r.label).toBe(labels.get(r.game_id));
      // Seasonly retrain: one model for the season, trained before week 1.
      expect(r.model_id).toBe(`${r.run_id}_2024w01`);
    }
    expect(new Set(rows.map((r) => r.run_id)).size).toBe(1);
    const brier = rows.reduce((s, r) => s + (r.p_home_win - r.label) ** 2, 0) / rows.length;
    const printed = /^overall\s+model\s+285\s+([0-9.]+)/m.exec(backtest.stdout)?.[1];
    expect(Number(printed)).toBeCloseTo(brier, 5);
    expect(brier).toBeGreaterThan(0.15);
    expect(brier).toBeLessThan(0.3);
  });

  it("train refuses a bad --holdout-weeks, or one that leaves too few weeks to fit, and writes no model", async () => {
    const notANumber = await cli("train", "--seasons", "2024", "--holdout-weeks", "four");
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain("--holdout-weeks");
    // 2024 has 22 weeks; 20 held out leave fewer than the 4 weeks fitting needs.
    const tooMany = await cli("train", "--seasons", "2024", "--holdout-weeks", "20");
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(
      /training needs at least 24 weeks of completed games \(20 holdout \+ 0 calibration \+ 4 to fit\), found 22/,
    );
    expect(readdirSync(models).filter((f) => f.endsWith(".model.json"))).toHaveLength(1);
  });

  it("report says when the scored games were in the model's training window", async () => {
    // The only model was trained on 2020–2024: replaying a 2024 week with it is scoring in sample.
    const p = await cli("predict", "--season", "2024", "--week", "7");
    expect(p.code, p.stderr).toBe(0);
    const r = await cli("report", "--season", "2024", "--week", "7");
    expect(r.code, r.stderr).toBe(0);
    const [n] = await query<{ n: number }>(
      "SELECT count(*) AS n FROM schedules WHERE season = 2024 AND week = 7 AND home_score IS NOT NULL",
    );
    const { artifact } = readArtifact(artifactFile);
    // predict says so before anyone reports on it.
    expect(p.stdout).toContain(
      `note: ${n!.n} of these ${n!.n} games are in the training window of ${artifact.modelId} (seasons 2020–2024, through ${artifact.trainingWindow.lastKickoff.slice(0, 10)}): it has learned their results`,
    );
    expect(r.stdout).toContain(
      `note: ${n!.n} of the ${n!.n} games scored for ${artifact.modelId} were in its training window (seasons 2020–2024, through ${artifact.trainingWindow.lastKickoff.slice(0, 10)})`,
    );
    // A corrupt artifact cannot say its window, but the stored predictions still score.
    const good = readFileSync(artifactFile);
    writeFileSync(artifactFile, Buffer.concat([good, Buffer.from(" ")]));
    try {
      const corrupt = await cli("report", "--season", "2024", "--week", "7");
      expect(corrupt.code, corrupt.stderr).toBe(0);
      expect(corrupt.stdout).not.toContain("in its training window");
    } finally {
      writeFileSync(artifactFile, good);
    }
  });

  it("train says when completed games' T-60m rows were built ahead of their time, and which to rebuild", async () => {
    expect(train.stdout).not.toContain("built before their T-60m");
    // What build-features leaves when run in mid-season for the rest of it: rows built weeks before their as-of.
    const db = await openDatabase(join(cwd, "data", "nfl.duckdb"));
    await db.run(
      "UPDATE features SET built_at = asof_ts - INTERVAL 30 DAY WHERE season = 2024 AND week >= 15 AND stage = 'T-60m'",
    );
    db.close();
    const [n] = await query<{ n: number }>(
      "SELECT count(*) AS n FROM schedules WHERE season = 2024 AND week >= 15 AND home_score IS NOT NULL",
    );
    const warned = await cli("train", "--seasons", "2024");
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stdout).toContain(
      `warning: the T-60m features of ${n!.n} completed games were built before their T-60m (2024 weeks 15–22)`,
    );
    expect(warned.stdout).toContain("rebuild them: npx nfl-pred build-features --seasons 2024");
    expect((await cli("build-features", "--seasons", "2024")).code).toBe(0);
    const clean = await cli("train", "--seasons", "2024");
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).not.toContain("built before their T-60m");
  });

  it.skipIf(!isXgboostAvailable())(
    "train --model xgboost: XGBoost's trees in the artifact; predict explains with TreeSHAP from the artifact",
    async () => {
      const r = await cli("train", "--seasons", "2021-2023", "--model", "xgboost");
      expect(r.code, r.stderr).toBe(0);
      const file = /^Model artifact: (\S+\.model\.json) /m.exec(r.stdout)?.[1] ?? "";
      const { artifact } = readArtifact(file);
      const params = artifact.model.params as {
        xgboost: string;
        trees: unknown[];
        settings: { nEstimators: number };
      };
      expect(artifact.model.kind).toBe("xgboost");
      expect(params.xgboost).toMatch(/^\d+\.\d+\.\d+$/);
      expect(params.trees).toHaveLength(params.settings.nEstimators);
      expect(r.stdout).toMatch(/^Trained xgboost on \d+ games/m);
      // The tracking run records the boosting settings and the library version.
      const runId = /^MLflow run ID: ([0-9a-f]{32})$/m.exec(r.stdout)?.[1] ?? "";
      const exp = readdirSync(join(cwd, "mlruns")).find((e) => existsSync(join(cwd, "mlruns", e, runId)));
      const run = join(cwd, "mlruns", exp!, runId);
      expect(readFileSync(join(run, "params", "trees.nEstimators"), "utf8")).toBe(
        String(params.settings.nEstimators),
      );
      expect(readFileSync(join(run, "tags", "xgboost_version"), "utf8")).toBe(params.xgboost);
      const id = artifact.modelId;
      const p = await cli("predict", "--season", "2024", "--week", "5", "--model-id", id);
      expect(p.code, p.stderr).toBe(0);
      const rows = await query<{ p: number; reasons: string }>(
        `SELECT p_home_win AS p, CAST(reasons AS VARCHAR) AS reasons FROM predictions WHERE model_id = '${id}'`,
      );
      const [games] = await query<{ n: number }>(
        "SELECT count(*) AS n FROM schedules WHERE season = 2024 AND week = 5",
      );
      expect(rows).toHaveLength(Number(games!.n));
      expect(new Set(rows.map((x) => x.p.toFixed(4))).size).toBeGreaterThan(Number(games!.n) / 2);
      expect(rows.some((x) => (JSON.parse(x.reasons) as unknown[]).length > 0)).toBe(true);
      const csv = readFileSync(join(models, "shap", `shap_s2024_w05_${id}.csv`), "utf8");
      expect(csv).toMatch(/^mean_abs,,diff_power_rating,\d/m);
    },
  );
});

/**
 * Walk-forward on a small synthetic league: a prediction may depend only on results visible before its
 * block's first kickoff, so scrambling later labels must leave it bit-for-bit unchanged.
 */
// The margin learner also reads each row's point margin: scrambling a result flips label and margin.
describe.each(["logistic", "margin"] as const)("walkForward never trains on the future (%s)", (learner) => {
  const defs = FEATURES.filter((d) => ["elo_pre", "rest_days", "neutral_site"].includes(d.name));
  const settings: TrainSettings = {
    learner,
    seed: 7,
    l2: 1,
    cvFolds: 3,
    calibrationWeeks: 2,
    holdoutWeeks: 0,
  };

  /** Three seasons of 10 weeks, 8 games a week: one on Thursday, seven on Sunday. */
  function league(): LabelledPair[] {
    const rng = createRng(11);
    const pairs: LabelledPair[] = [];
    for (const season of [2020, 2021, 2022]) {
      const opener = Date.UTC(season, 8, 10, 0, 20);
      for (let week = 1; week <= 10; week++) {
        for (let g = 0; g < 8; g++) {
          const kickoff = opener + (week - 1) * 7 * MS_DAY + (g === 0 ? 0 : 3 * MS_DAY + 17 * MS_HOUR);
          const eloH = 1500 + 200 * (rng() - 0.5);
          const eloA = 1500 + 200 * (rng() - 0.5);
          const restH = 6 + Math.floor(rng() * 3);
          const restA = 6 + Math.floor(rng() * 3);
          const label = rng() < sigmoid((eloH - eloA) / 100 + 0.1 * (restH - restA)) ? 1 : 0;
          const margin = (label === 1 ? 1 : -1) * (1 + Math.floor(rng() * 14));
          pairs.push({
            gameId: `${season}_${String(week).padStart(2, "0")}_A${g}_H${g}`,
            season,
            week,
            kickoff,
            asOf: kickoff - 60 * 60_000,
            snapshotAt: kickoff - 60 * 60_000,
            builtEarly: false,
            homeTeam: `H${g}`,
            awayTeam: `A${g}`,
            home: { elo_pre: eloH, rest_days: restH, neutral_site: 0, elo_prob_home: 0.5 },
            away: { elo_pre: eloA, rest_days: restA, neutral_site: 0 },
            label,
            margin,
          });
        }
      }
    }
    return pairs;
  }

  const run = (pairs: LabelledPair[], retrain: "weekly" | "seasonly") =>
    walkForward(pairs, [], defs, settings, {
      seasons: [2022],
      retrain,
      seasonsBack: 2,
      seasonWeights: [],
      runId: "t",
    });
  const flip = (pairs: LabelledPair[], pick: (p: LabelledPair) => boolean) =>
    pairs.map((p) => (pick(p) ? { ...p, label: 1 - p.label!, margin: -p.margin! } : p));
  const byWeek = (rows: BacktestRow[], pick: (w: number) => boolean) =>
    rows.filter((r) => pick(r.week)).map((r) => [r.gameId, r.pModel] as const);

  it("weekly: a week's predictions ignore its own and later results, but not earlier ones", () => {
    const base = league();
    const original = run(base, "weekly");
    expect(original).toHaveLength(80);
    expect(new Set(original.map((r) => r.modelId)).size).toBe(10);
    // Week 6's Thursday game kicks off three days before its Sunday games: it must not train them either.
    const scrambled = run(
      flip(base, (p) => p.season === 2022 && p.week >= 6),
      "weekly",
    );
    expect(byWeek(scrambled, (w) => w <= 6)).toEqual(byWeek(original, (w) => w <= 6));
    expect(byWeek(scrambled, (w) => w > 6)).not.toEqual(byWeek(original, (w) => w > 6));
  });

  it("weekly: a result becomes usable only 4 hours after its kickoff", () => {
    const base = league();
    const week6 = Math.min(...base.filter((p) => p.season === 2022 && p.week === 6).map((p) => p.kickoff));
    // A late week-5 game ending just before week 6 starts: still in progress at the cutoff.
    const late = base.map((p) => (p.gameId === "2022_05_A7_H7" ? { ...p, kickoff: week6 - 3 * MS_HOUR } : p));
    const original = run(late, "weekly");
    const scrambled = run(
      flip(late, (p) => p.gameId === "2022_05_A7_H7"),
      "weekly",
    );
    expect(byWeek(scrambled, (w) => w === 6)).toEqual(byWeek(original, (w) => w === 6));
    expect(byWeek(scrambled, (w) => w === 7)).not.toEqual(byWeek(original, (w) => w === 7));
  });

  it("seasonly: the season is predicted from earlier seasons only", () => {
    const base = league();
    const original = run(base, "seasonly");
    expect(new Set(original.map((r) => r.modelId))).toEqual(new Set(["t_2022w01"]));
    const scrambled = run(
      flip(base, (p) => p.season === 2022),
      "seasonly",
    );
    expect(scrambled.map((r) => r.pModel)).toEqual(original.map((r) => r.pModel));
    const earlier = run(
      flip(base, (p) => p.season === 2021 && p.week === 10),
      "seasonly",
    );
    expect(earlier.map((r) => r.pModel)).not.toEqual(original.map((r) => r.pModel));
  });

  it("a block with too little history before it stops with NO_DATA naming the block, not a fold error", () => {
    const base = league();
    const attempt = (seasons: number[], pairs: LabelledPair[]) => {
      try {
        walkForward(pairs, [], defs, settings, {
          seasons,
          retrain: "weekly",
          seasonsBack: 2,
          seasonWeights: [],
          runId: "t",
        });
        return null;
      } catch (e) {
        return e;
      }
    };
    // 2020 is the first season: nothing to train its week 1 on.
    expect(attempt([2020], base)).toMatchObject({
      code: "NO_DATA",
      message: "backtest 2020 week 1: 0 weeks of completed games before it to train on, at least 6 needed",
    });
    // Without 2020's features, 2021's week 1 has nothing either; the hint names the seasons to build.
    expect(
      attempt(
        [2021],
        base.filter((p) => p.season >= 2021),
      ),
    ).toMatchObject({
      code: "NO_DATA",
      hint: expect.stringContaining("build-features --seasons 2019-2020"),
    });
  });
});
