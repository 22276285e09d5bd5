import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Database } from "../storage/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The git commit of the running code (with `-dirty` when the tree has changes), else the package version. */
export function codeVersion(fallback: string): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return `v${fallback}`;
  }
}

/** Upstream dataset versions: the sha256 of the latest ingested file per dataset and season. */
export async function datasetVersions(db: Database): Promise<Record<string, string>> {
  const rows = await db.all<{ dataset: string; season: number | null; sha256: string }>(
    `SELECT dataset, season, sha256 FROM ingest_log WHERE NOT skipped
     QUALIFY row_number() OVER (PARTITION BY dataset, season ORDER BY pulled_at DESC) = 1
     ORDER BY dataset, season`,
  );
  return Object.fromEntries(
    rows.map((r) => [r.season === null ? r.dataset : `${r.dataset}_${r.season}`, r.sha256]),
  );
}
