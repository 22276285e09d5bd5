/**
 * bench/features: mvp_v1 for every game 1999–2025 at its own T-60m, on the real mirror.
 * Prints the wall time of each step and rows/s. Run: `npm run bench:features`.
 */
import { join } from "node:path";
import { buildOptions, loadFeatureSources } from "../src/cli/feature-sources.ts";
import { loadConfig } from "../src/config/index.ts";
import { MS_MINUTE } from "../src/domain/index.ts";
import { buildFeatureRows, findFeatureSet } from "../src/features/index.ts";
import { runIngest } from "../src/ingest/index.ts";
import { openDatabase, writeFeatureRows } from "../src/storage/index.ts";
import { MIRROR_DIR, tempDir } from "../test/helpers/mirror.ts";

const seasons = Array.from({ length: 2025 - 1999 + 1 }, (_, i) => 1999 + i);
const dir = tempDir("nflpred-bench-");
const cfg = loadConfig({ cwd: dir, env: {} });
const db = await openDatabase(join(dir, "nfl.duckdb"));
let t = performance.now();
await runIngest(
  db,
  {
    datasets: ["schedules", "pbp", "injuries", "weekly_rosters", "depth_charts"],
    seasons,
    allowMissing: true,
    base: MIRROR_DIR,
    rawDir: join(dir, "raw"),
    policy: { timeoutMs: 30_000, retries: 0, backoffMs: 0 },
  },
  { fetch: globalThis.fetch, now: Date.now },
);
console.log(
  `setup: ingest from mirror ${((performance.now() - t) / 1000).toFixed(2)} s (not part of the figure)`,
);

const defs = findFeatureSet("mvp_v1")!;
const names = defs.map((d) => d.name);
const wall = performance.now();
t = performance.now();
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
