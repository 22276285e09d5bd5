/**
 * Hyper-parameter selection on seasons BEFORE the reported ones (2015–2025 are never looked at here):
 * walk-forward over 2010–2014 for a grid of settings, printing Brier and log loss for each.
 * Usage: tsx scripts/tune.ts <path/to/nfl.duckdb> [feature_set] [retrain]
 */

import { loadGamePairs } from "../src/cli/training-data.ts";
import { walkForward } from "../src/cli/walk-forward.ts";
import { findFeatureSet, GAMES_SQL, normalizeGame } from "../src/features/index.ts";
import type { LearnerKind } from "../src/model/index.ts";
import { brierScore, logLoss } from "../src/report/index.ts";
import { openDatabase } from "../src/storage/index.ts";

const [dbPath, featureSet = "mvp_v1", retrain = "seasonly", learner = "logistic"] = process.argv.slice(2);
if (!dbPath) throw new Error("usage: tsx scripts/tune.ts <db> [feature_set] [weekly|seasonly] [learner]");
const TUNE_SEASONS = [2010, 2011, 2012, 2013, 2014];
const db = await openDatabase(dbPath, { readOnly: true });
const defs = findFeatureSet(featureSet)!;
const pairs = await loadGamePairs(
  db,
  featureSet,
  defs.map((d) => d.name),
  {
    seasons: Array.from({ length: 2014 - 1999 + 1 }, (_, i) => 1999 + i),
  },
);
const games = (await db.all(GAMES_SQL)).map(normalizeGame);
db.close();

const grid = {
  l2: (process.env.TUNE_L2 ?? "10,30,100,300,1000").split(",").map(Number),
  seasonsBack: (process.env.TUNE_BACK ?? "3,5,8").split(",").map(Number),
  calibrationWeeks: (process.env.TUNE_CAL ?? "0,2").split(",").map(Number),
};
console.log(`tuning ${featureSet} ${learner} (${retrain}) on ${TUNE_SEASONS.join(", ")}`);
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
          retrain: retrain as "weekly" | "seasonly",
          seasonsBack,
          seasonWeights: [],
          runId: "tune",
          ...(process.env.TUNE_GRID ? { l2Grid: process.env.TUNE_GRID.split(",").map(Number) } : {}),
        },
      );
      const p = rows.map((r) => r.pModel);
      const y = rows.map((r) => r.label);
      const elo = rows.map((r) => r.pElo);
      console.log(
        `back=${seasonsBack} l2=${l2} cal=${calibrationWeeks}  brier=${brierScore(p, y).toFixed(4)} logloss=${logLoss(p, y).toFixed(4)}  (elo ${brierScore(elo, y).toFixed(4)})  n=${rows.length}  ${((performance.now() - t) / 1000).toFixed(1)}s`,
      );
    }
  }
}
