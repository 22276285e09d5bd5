/**
 * bench/features: mvp_v1 for every game 1999–2025 at its own T-60m, on the real mirror.
 * Prints the wall time of each step and rows/s. Run: `npm run bench:features`.
 */
import { buildOptions, loadFeatureSources } from "../src/cli/feature-sources.ts";
import { MS_MINUTE } from "../src/domain/index.ts";
import { buildFeatureRows, findFeatureSet } from "../src/features/index.ts";
import { writeFeatureRows } from "../src/storage/index.ts";
import { mirrorDatabase } from "./setup.ts";

const seasons = Array.from({ length: 2025 - 1999 + 1 }, (_, i) => 1999 + i);
const { cfg, db, ingestMs } = await mirrorDatabase("nflpred-bench-", seasons);
console.log(`setup: ingest from mirror ${(ingestMs / 1000).toFixed(2)} s (not part of the figure)`);

const defs = findFeatureSet("mvp_v1")!;
const names = defs.map((d) => d.name);
const wall = performance.now();
let t = performance.now();
const sources = await loadFeatureSources(db);
const tLoad = performance.now() - t;
const games = sources.games.filter((g) => g.season >= 1999 && g.season <= 2025);
t = performance.now();
const rows = buildFeatureRows(
  sources,
  games.map((g) => ({ gameId: g.gameId, asOf: g.kickoff - 60 * MS_MINUTE })),
  buildOptions(cfg, names),
);
const tBuild = performance.now() - t;
t = performance.now();
await writeFeatureRows(
  db,
  rows.map((r) => ({ ...r, snapshotAt: r.asOf, stage: "T-60m" })),
  { featureSet: "mvp_v1", features: names, mode: "replace", builtAt: Date.now() },
);
const tWrite = performance.now() - t;
const total = performance.now() - wall;
db.close();
console.log(`games ${games.length}, feature rows ${rows.length}, features per row ${names.length}`);
console.log(`load sources (SQL aggregates + reference data): ${(tLoad / 1000).toFixed(2)} s`);
console.log(`build rows (pure):                              ${(tBuild / 1000).toFixed(2)} s`);
console.log(`write to DuckDB (replace, one transaction):     ${(tWrite / 1000).toFixed(2)} s`);
console.log(`total wall: ${(total / 1000).toFixed(2)} s, ${Math.round(rows.length / (total / 1000))} rows/s`);
