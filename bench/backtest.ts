/**
 * bench/backtest: the full 2015–2025 walk-forward (weekly retrain, configs/default.yaml: the margin model on each set's model view) for
 * mvp_v1 and market_v1, in-process on a database built from the real mirror. Prints the wall time of
 * each walk-forward and Brier / log loss / accuracy overall and by season, and the calibration slope by
 * phase, beside the Elo and market baselines. Setup (ingest, features) is timed separately and is not part of the figure.
 * Run: `npm run bench:backtest`; `BACKTEST_SEASONS=2006-2014 npm run bench:backtest` scores the seasons
 * used for tuning instead, and `NFL_PRED__TRAINING__<KEY>=…` scores another training setting.
 */

import { parseSeasons } from "../src/cli/args.ts";
import { comparisons, type SummaryRow, slopeCell, summarize } from "../src/cli/commands/backtest.ts";
import { trainSettings } from "../src/cli/commands/train.ts";
import { buildOptions, loadFeatureSources } from "../src/cli/feature-sources.ts";
import { formatTable } from "../src/cli/table.ts";
import { loadGamePairs, resolveModelFeatures } from "../src/cli/training-data.ts";
import { type BacktestRow, walkForward } from "../src/cli/walk-forward.ts";
import { MS_MINUTE, SEASON_PHASES } from "../src/domain/index.ts";
import { buildFeatureRows, findFeatureSet, GAMES_SQL, normalizeGame } from "../src/features/index.ts";
import { fitLogistic1D, logit } from "../src/model/index.ts";
import { brierScore } from "../src/report/index.ts";
import { writeFeatureRows } from "../src/storage/index.ts";
import { mirrorDatabase } from "./setup.ts";

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
// From 1999: Elo, ratings and QB values need every earlier season to warm up, as in production.
const FEATURE_SEASONS = range(1999, 2025);
const TARGET_SEASONS = parseSeasons(
  [process.env.BACKTEST_SEASONS ?? "2015-2025"],
  Date.now(),
  "BACKTEST_SEASONS",
);
const FEATURE_SETS = ["mvp_v1", "market_v1"] as const;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const { cfg, db, ingestMs } = await mirrorDatabase("nflpred-bench-bt-", FEATURE_SEASONS);
console.log(
  `setup: ingest ${FEATURE_SEASONS[0]}–${FEATURE_SEASONS.at(-1)} from the mirror ${secs(ingestMs)}`,
);

const t = performance.now();
const sources = await loadFeatureSources(db, FEATURE_SEASONS);
const wanted = new Set(FEATURE_SEASONS);
const targets = sources.games
  .filter((g) => wanted.has(g.season))
  .map((g) => ({ gameId: g.gameId, asOf: g.kickoff - 60 * MS_MINUTE }));
for (const featureSet of FEATURE_SETS) {
  const names = findFeatureSet(featureSet)!.map((d) => d.name);
  const rows = buildFeatureRows(sources, targets, buildOptions(cfg, names));
  await writeFeatureRows(
    db,
    rows.map((r) => ({ ...r, snapshotAt: r.asOf, stage: "T-60m" })),
    { featureSet, features: names, mode: "replace", builtAt: Date.now() },
  );
}
console.log(`setup: build-features ${FEATURE_SETS.join(" + ")} at T-60m ${secs(performance.now() - t)}`);
const games = (await db.all(GAMES_SQL)).map(normalizeGame);

const settings = { ...trainSettings(cfg), holdoutWeeks: 0 };
const seasonsBack = cfg.training.seasons_back;
console.log(
  `config: learner ${settings.learner}, ${seasonsBack} seasons back, calibration weeks ${settings.calibrationWeeks}, ` +
    `l2 grid [${cfg.training.l2_grid.join(", ")}] (fallback ${settings.l2}), weekly retrain\n`,
);

const results = new Map<string, SummaryRow[]>();
const predictions = new Map<string, BacktestRow[]>();
for (const featureSet of FEATURE_SETS) {
  const defs = resolveModelFeatures(featureSet, cfg.training.model_features);
  const pairs = await loadGamePairs(
    db,
    featureSet,
    defs.map((d) => d.name),
    { seasons: range(TARGET_SEASONS[0]! - seasonsBack, TARGET_SEASONS.at(-1)!) },
  );
  const wall = performance.now();
  const rows = walkForward(pairs, games, defs, settings, {
    seasons: TARGET_SEASONS,
    retrain: "weekly",
    seasonsBack,
    seasonWeights: cfg.training.season_weights,
    runId: `bench_${featureSet}`,
    ...(cfg.training.l2_grid.length > 0 ? { l2Grid: cfg.training.l2_grid } : {}),
  });
  const ms = performance.now() - wall;
  const retrains = new Set(rows.map((r) => r.modelId)).size;
  console.log(
    `${featureSet}: walk-forward ${TARGET_SEASONS[0]}–${TARGET_SEASONS.at(-1)}, ${rows.length} games, ${retrains} weekly retrains: ${secs(ms)} wall`,
  );
  for (const line of comparisons(rows)) console.log(`  ${line}`);
  results.set(featureSet, summarize(rows));
  predictions.set(featureSet, rows);
}
db.close();

/** The CLI's summary row of one feature set's run (`model`, `elo` or `market`) for a scope. */
const get = (featureSet: string, scope: string, source: string) =>
  results.get(featureSet)!.find((l) => l.scope === scope && l.source === source);
const show = (r: SummaryRow | undefined, name: string) =>
  r && {
    source: name,
    n: r.n,
    brier: r4(r.brier_score),
    log_loss: r4(r.log_loss),
    accuracy: r4(r.accuracy),
    ece: r4(r.ece),
    slope: r2(r.slope),
    bias: r4(r.bias),
  };
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r2 = (x: number) => Math.round(x * 100) / 100;
const bySeason = (cells: (s: string) => Record<string, unknown>) =>
  formatTable(TARGET_SEASONS.map((s) => ({ season: s, ...cells(String(s)) })));

console.log("\nOverall (market: games with a closing line)");
console.log(
  formatTable(
    [
      show(get("mvp_v1", "overall", "model"), "mvp_v1"),
      show(get("mvp_v1", "overall", "elo"), "elo"),
      show(get("mvp_v1", "overall", "market"), "market"),
      show(get("market_v1", "overall", "model"), "market_v1"),
    ].filter((r) => r !== undefined),
  ),
);
/** One scope's Brier for both feature sets and both baselines (scope: a season or a phase). */
const brierCells = (scope: string) => ({
  n: get("mvp_v1", scope, "model")?.n ?? 0,
  mvp_v1: r4(get("mvp_v1", scope, "model")?.brier_score ?? Number.NaN),
  market_v1: r4(get("market_v1", scope, "model")?.brier_score ?? Number.NaN),
  elo: r4(get("mvp_v1", scope, "elo")?.brier_score ?? Number.NaN),
  market: r4(get("mvp_v1", scope, "market")?.brier_score ?? Number.NaN),
});

console.log("\nBrier by season");
console.log(bySeason(brierCells));
console.log("\nBrier by phase of the season");
console.log(formatTable(SEASON_PHASES.map((phase) => ({ phase, ...brierCells(phase) }))));
console.log("\nCalibration slope by phase (± standard error; below 1: too confident)");
console.log(
  formatTable(
    SEASON_PHASES.map((phase) => ({
      phase,
      mvp_v1: slopeCell(get("mvp_v1", phase, "model")),
      market_v1: slopeCell(get("market_v1", phase, "model")),
      elo: slopeCell(get("mvp_v1", phase, "elo")),
      market: slopeCell(get("mvp_v1", phase, "market")),
    })),
  ),
);
/**
 * How much Brier a per-phase logistic recalibration fitted on the scored games themselves would save: an
 * upper bound on what any recalibration could gain, since no honest method sees the outcomes first.
 */
function recalibrationBound(rows: readonly BacktestRow[]): number {
  let saved = 0;
  for (const phase of SEASON_PHASES) {
    const rs = rows.filter((r) => r.phase === phase);
    if (rs.length === 0) continue;
    const x = rs.map((r) => logit(r.pModel));
    const y = rs.map((r) => r.label);
    const { a, b } = fitLogistic1D(x, y);
    const refit = x.map((v) => 1 / (1 + Math.exp(-(a + b * v))));
    const before = brierScore(
      rs.map((r) => r.pModel),
      y,
    );
    saved += (before - brierScore(refit, y)) * rs.length;
  }
  return saved / rows.length;
}
console.log(
  `Refitting intercept and slope per phase on the scored games themselves (a bound, not a method) would lower the Brier by ${FEATURE_SETS.map((fs) => `${recalibrationBound(predictions.get(fs)!).toFixed(4)} (${fs})`).join(", ")}`,
);

console.log("\nLog loss / accuracy by season");
console.log(
  bySeason((s) => {
    const cells: Record<string, number> = {};
    for (const [name, fs, source] of [
      ["mvp_v1", "mvp_v1", "model"],
      ["market_v1", "market_v1", "model"],
      ["elo", "mvp_v1", "elo"],
      ["market", "mvp_v1", "market"],
    ] as const) {
      const r = get(fs, s, source);
      cells[`ll_${name}`] = r4(r?.log_loss ?? Number.NaN);
      cells[`acc_${name}`] = r4(r?.accuracy ?? Number.NaN);
    }
    return cells;
  }),
);
