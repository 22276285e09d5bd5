/**
 * bench/backtest: the full 2015–2025 walk-forward (weekly retrain, configs/default.yaml: the margin model on each set's model view) for
 * mvp_v1 and market_v1, in-process on a database built from the real mirror. Prints the wall time of
 * each walk-forward and Brier / log loss / accuracy overall and by season beside the Elo and market
 * baselines. Setup (ingest, features) is timed separately and is not part of the figure.
 * Run: `npm run bench:backtest`.
 */
import { join } from "node:path";
import { comparisons } from "../src/cli/commands/backtest.ts";
import { trainSettings } from "../src/cli/commands/train.ts";
import { buildOptions, loadFeatureSources } from "../src/cli/feature-sources.ts";
import { formatTable } from "../src/cli/table.ts";
import { loadGamePairs, resolveModelFeatures } from "../src/cli/training-data.ts";
import { type BacktestRow, walkForward } from "../src/cli/walk-forward.ts";
import { loadConfig } from "../src/config/index.ts";
import { MS_MINUTE } from "../src/domain/index.ts";
import { buildFeatureRows, findFeatureSet, GAMES_SQL, normalizeGame } from "../src/features/index.ts";
import { runIngest } from "../src/ingest/index.ts";
import { accuracy, brierScore, logLoss } from "../src/report/index.ts";
import { openDatabase, writeFeatureRows } from "../src/storage/index.ts";
import { MIRROR_DIR, REPO_ROOT, tempDir } from "../test/helpers/mirror.ts";

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
// From 1999: Elo, ratings and QB values need every earlier season to warm up, as in production.
const FEATURE_SEASONS = range(1999, 2025);
const TARGET_SEASONS = range(2015, 2025);
const FEATURE_SETS = ["mvp_v1", "market_v1"] as const;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dir = tempDir("nflpred-bench-bt-");
// The project's default config (configs/default.yaml), with paths resolved inside the temp dir.
const cfg = loadConfig({ cwd: dir, env: {}, path: join(REPO_ROOT, "configs", "default.yaml") });
const db = await openDatabase(join(dir, "nfl.duckdb"));

let t = performance.now();
await runIngest(
  db,
  {
    datasets: ["schedules", "pbp", "injuries", "weekly_rosters", "depth_charts"],
    seasons: FEATURE_SEASONS,
    allowMissing: true,
    base: MIRROR_DIR,
    rawDir: join(dir, "raw"),
    policy: { timeoutMs: 30_000, retries: 0, backoffMs: 0 },
  },
  { fetch: globalThis.fetch, now: Date.now },
);
console.log(
  `setup: ingest ${FEATURE_SEASONS[0]}–${FEATURE_SEASONS.at(-1)} from the mirror ${secs(performance.now() - t)}`,
);

t = performance.now();
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

interface Line extends Record<string, unknown> {
  scope: string;
  source: string;
  n: number;
  brier: number;
  log_loss: number;
  accuracy: number;
}

function score(scope: string, source: string, p: number[], y: number[]): Line {
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    scope,
    source,
    n: p.length,
    brier: r(brierScore(p, y)),
    log_loss: r(logLoss(p, y)),
    accuracy: r(accuracy(p, y)),
  };
}

function summarize(featureSet: string, rows: readonly BacktestRow[]): Line[] {
  const out: Line[] = [];
  for (const scope of ["overall", ...TARGET_SEASONS.map(String)]) {
    const rs = rows.filter((r) => scope === "overall" || String(r.season) === scope);
    if (rs.length === 0) continue;
    const y = rs.map((r) => r.label);
    out.push(
      score(
        scope,
        featureSet,
        rs.map((r) => r.pModel),
        y,
      ),
    );
    out.push(
      score(
        scope,
        "elo",
        rs.map((r) => r.pElo),
        y,
      ),
    );
    const m = rs.filter((r) => r.pMarket !== null);
    out.push(
      score(
        scope,
        "market",
        m.map((r) => r.pMarket!),
        m.map((r) => r.label),
      ),
    );
  }
  return out;
}

const results = new Map<string, Line[]>();
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
  results.set(featureSet, summarize(featureSet, rows));
}
db.close();

console.log("\nOverall (market: games with a closing line)");
console.log(
  formatTable([
    ...results.get("mvp_v1")!.filter((l) => l.scope === "overall"),
    ...results.get("market_v1")!.filter((l) => l.scope === "overall" && l.source === "market_v1"),
  ]),
);
console.log("\nBrier by season");
console.log(
  formatTable(
    TARGET_SEASONS.map((s) => {
      const get = (fs: string, source: string) =>
        results.get(fs)!.find((l) => l.scope === String(s) && l.source === source);
      return {
        season: s,
        n: get("mvp_v1", "mvp_v1")?.n ?? 0,
        mvp_v1: get("mvp_v1", "mvp_v1")?.brier ?? null,
        market_v1: get("market_v1", "market_v1")?.brier ?? null,
        elo: get("mvp_v1", "elo")?.brier ?? null,
        market: get("mvp_v1", "market")?.brier ?? null,
      };
    }),
  ),
);
console.log("\nLog loss / accuracy by season");
console.log(
  formatTable(
    TARGET_SEASONS.map((s) => {
      const get = (fs: string, source: string) =>
        results.get(fs)!.find((l) => l.scope === String(s) && l.source === source);
      return {
        season: s,
        ll_mvp_v1: get("mvp_v1", "mvp_v1")?.log_loss ?? null,
        ll_market_v1: get("market_v1", "market_v1")?.log_loss ?? null,
        ll_elo: get("mvp_v1", "elo")?.log_loss ?? null,
        ll_market: get("mvp_v1", "market")?.log_loss ?? null,
        acc_mvp_v1: get("mvp_v1", "mvp_v1")?.accuracy ?? null,
        acc_market_v1: get("market_v1", "market_v1")?.accuracy ?? null,
        acc_elo: get("mvp_v1", "elo")?.accuracy ?? null,
        acc_market: get("mvp_v1", "market")?.accuracy ?? null,
      };
    }),
  ),
);
