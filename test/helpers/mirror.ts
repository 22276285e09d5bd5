import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type IngestSummary, runIngest } from "../../src/ingest/index.ts";
import { type Database, type DatasetName, openDatabase } from "../../src/storage/index.ts";

/** The real nflverse mirror shipped beside the repository (`../shared/data/nflverse`). */
export const MIRROR_DIR = fileURLToPath(new URL("../../../shared/data/nflverse", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The installed entry point, run through tsx. */
export const BIN = join(REPO_ROOT, "bin/nfl-pred.js");
/** The same CLI compiled to `dist/` by the test setup: what the end-to-end tests spawn. */
export const CLI = join(REPO_ROOT, "test/helpers/built-cli.js");

export function tempDir(prefix = "nflpred-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Ingests from the real mirror into `db`, keeping raw Parquet under `dir/raw`. */
export function ingestMirror(
  db: Database,
  dir: string,
  datasets: readonly DatasetName[],
  seasons: readonly number[],
  allowMissing = true,
): Promise<IngestSummary> {
  return runIngest(
    db,
    {
      datasets,
      seasons,
      allowMissing,
      base: MIRROR_DIR,
      rawDir: join(dir, "raw"),
      policy: { timeoutMs: 10_000, retries: 0, backoffMs: 0 },
    },
    { fetch: globalThis.fetch, now: () => Date.parse("2026-11-29T00:00:00Z") },
  );
}

/** A fresh database in a temp dir, loaded from the real mirror. */
export async function mirrorDatabase(
  datasets: readonly DatasetName[],
  seasons: readonly number[],
): Promise<{ db: Database; dir: string }> {
  const dir = tempDir();
  const db = await openDatabase(join(dir, "nfl.duckdb"));
  await ingestMirror(db, dir, datasets, seasons);
  return { db, dir };
}
