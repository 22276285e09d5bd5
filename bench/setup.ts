import { join } from "node:path";
import { type Config, loadConfig } from "../src/config/index.ts";
import { runIngest } from "../src/ingest/index.ts";
import { type Database, openDatabase } from "../src/storage/index.ts";
import { MIRROR_DIR, REPO_ROOT, tempDir } from "../test/helpers/mirror.ts";

/**
 * A fresh database in a temp dir, with every dataset the features read ingested from the real mirror
 * for `seasons`, and the project's default config (configs/default.yaml) with paths inside the dir.
 * Only `NFL_PRED__TRAINING__*` variables override it, so a bench can score a training setting (e.g.
 * `NFL_PRED__TRAINING__CALIBRATION_WEEKS=2`) while paths stay in the temp dir.
 * Setup only: the ingest time is reported, never part of a bench figure.
 */
export async function mirrorDatabase(
  prefix: string,
  seasons: readonly number[],
): Promise<{ cfg: Config; db: Database; ingestMs: number }> {
  const dir = tempDir(prefix);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.startsWith("NFL_PRED__TRAINING__")),
  );
  const cfg = loadConfig({ cwd: dir, env, path: join(REPO_ROOT, "configs", "default.yaml") });
  const db = await openDatabase(join(dir, "nfl.duckdb"));
  const t = performance.now();
  await runIngest(
    db,
    {
      datasets: ["schedules", "team_epa", "pbp", "injuries", "weekly_rosters", "depth_charts"],
      seasons,
      allowMissing: true,
      base: MIRROR_DIR,
      rawDir: join(dir, "raw"),
      policy: { timeoutMs: 30_000, retries: 0, backoffMs: 0 },
    },
    { fetch: globalThis.fetch, now: Date.now },
  );
  return { cfg, db, ingestMs: performance.now() - t };
}
