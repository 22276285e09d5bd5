/**
 * Hyper-parameter selection on seasons BEFORE the reported ones (2015–2025 are never looked at here):
 * weekly walk-forward over 2006–2014 for a grid of settings, printing Brier and log loss for each.
 * Usage: tsx scripts/tune.ts <path/to/nfl.duckdb> [feature_set] [learner] [view]
 *   view: "default" (the set's model view, MODEL_FEATURES) or "all" (every feature of the set)
 *   env: TUNE_FEATURES (comma-separated model view, overrides [view]), TUNE_BACK (seasons back, e.g. "5,10"), TUNE_L2, TUNE_GRID (nested l2 grid), TUNE_CAL, TUNE_SEASONS ("2006-2014")
 */

import { loadGamePairs, resolveModelFeatures } from "../src/cli/training-data.ts";
import { walkForward } from "../src/cli/walk-forward.ts";
import { findFeatureSet, GAMES_SQL, normalizeGame } from "../src/features/index.ts";
import type { LearnerKind } from "../src/model/index.ts";
import { brierScore, logLoss } from "../src/report/index.ts";
import { openDatabase } from "../src/storage/index.ts";

const [dbPath, featureSet = "mvp_v1", learner = "margin", view = "default"] = process.argv.slice(2);
if (!dbPath) throw new Error("usage: tsx scripts/tune.ts <db> [feature_set] [learner] [default|all]");
const [lo, hi] = (process.env.TUNE_SEASONS ?? "2006-2014").split("-").map(Number) as [number, number];
if (hi >= 2015) throw new Error("tuning seasons must end before 2015, the first reported season");
const TUNE_SEASONS = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const defs = process.env.TUNE_FEATURES
  ? resolveModelFeatures(featureSet, process.env.TUNE_FEATURES.split(","))
  : view === "all"
    ? findFeatureSet(featureSet)!
    : resolveModelFeatures(featureSet);
const db = await openDatabase(dbPath, { readOnly: true });
const pairs = await loadGamePairs(
  db,
  featureSet,
  defs.map((d) => d.name),
  { seasons: Array.from({ length: hi - 1999 + 1 }, (_, i) => 1999 + i) },
);
const games = (await db.all(GAMES_SQL)).map(normalizeGame);
db.close();

const list = (v: string | undefined, d: string) => (v ?? d).split(",").map(Number);
const grid = {
  seasonsBack: list(process.env.TUNE_BACK, "5,10"),
  l2: list(process.env.TUNE_L2, "10"),
  calibrationWeeks: list(process.env.TUNE_CAL, "0"),
};
const nested = process.env.TUNE_GRID ? list(process.env.TUNE_GRID, "") : undefined;
console.log(
  `tuning ${featureSet} ${learner} (${view} view, ${defs.length} features, weekly) on ${TUNE_SEASONS.join(", ")}`,
);
for (const seasonsBack of grid.seasonsBack) {
  for (const l2 of grid.l2) {
    for (const calibrationWeeks of grid.calibrationWeeks) {
      const t = performance.now();
      const rows = walkForward(
        pairs,
        games,
        defs,
        { learner: learner as LearnerKind, seed: 42, l2, cvFolds: 5, calibrationWeeks, holdoutWeeks: 0 },
        {
          seasons: TUNE_SEASONS,
          retrain: "weekly",
          seasonsBack,
          seasonWeights: [],
          runId: "tune",
          ...(nested ? { l2Grid: nested } : {}),
        },
      );
      const p = rows.map((r) => r.pModel);
      const y = rows.map((r) => r.label);
      const elo = rows.map((r) => r.pElo);
      console.log(
        `back=${seasonsBack} l2=${nested ? `nested[${nested.join(",")}]` : l2} cal=${calibrationWeeks}  brier=${brierScore(p, y).toFixed(5)} logloss=${logLoss(p, y).toFixed(4)}  (elo ${brierScore(elo, y).toFixed(5)})  n=${rows.length}  ${((performance.now() - t) / 1000).toFixed(1)}s`,
      );
    }
  }
}
