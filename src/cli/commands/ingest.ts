import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { seasonRanges } from "../../domain/index.ts";
import {
  describeMissingColumns,
  describeMissingFiles,
  describeUnpublished,
  type IngestEffects,
  type IngestSummary,
  NFLVERSE_BASE,
  runIngest,
} from "../../ingest/index.ts";
import { DATASET_NAMES, type DatasetName } from "../../storage/index.ts";
import { parseList, parseSeasons } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { formatTable } from "../table.ts";

interface IngestOptions extends CommonOptions {
  readonly seasons: string[];
  readonly datasets?: string;
  readonly allowMissing?: boolean;
}

/** Where nflverse files come from: `NFLVERSE_MIRROR` (a directory or http(s) base) or the live releases. */
export function nflverseBase(rt: Runtime): string {
  const mirror = rt.env.NFLVERSE_MIRROR?.trim();
  if (!mirror) return NFLVERSE_BASE;
  if (/^https?:\/\//i.test(mirror)) return mirror;
  return mirror.startsWith("/") ? mirror : `${rt.cwd}/${mirror}`;
}

export function registerIngest(program: Command, rt: Runtime): void {
  program
    .command("ingest")
    .description("pull nflverse schedules, play-by-play, rosters, injuries and more into DuckDB + Parquet")
    .requiredOption("--seasons <seasons...>", "seasons, lists and ranges (e.g. 2024 2025, 2015-2025)")
    .option("--datasets <list>", `comma-separated, default all: ${DATASET_NAMES.join(",")}`)
    .option("--allow-missing", "ingest what exists and report files the source lacks")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: IngestOptions) => {
      const cfg = configFor(rt, opts);
      const seasons = parseSeasons(opts.seasons, rt.now());
      const datasets: readonly DatasetName[] = opts.datasets
        ? parseList(opts.datasets, DATASET_NAMES, "--datasets")
        : DATASET_NAMES;
      const base = nflverseBase(rt);
      const bar = rt.interactive
        ? new SingleBar({ format: "ingest [{bar}] {value}/{total} {label}", hideCursor: true })
        : null;
      const fx: IngestEffects = {
        fetch: globalThis.fetch,
        now: rt.now,
        onRetry: (r) => rt.log.warn(r, "retrying download"),
        onProgress: (p) => {
          if (bar) {
            if (p.done === 0 && p.status === "fetching") bar.start(p.total, 0, { label: p.label });
            bar.update(p.done, { label: `${p.label}: ${p.status}` });
          } else if (p.status !== "fetching") {
            rt.log.info({ file: p.label, status: p.status, done: p.done, total: p.total }, "ingest progress");
          }
        },
      };
      rt.log.info({ base, seasons, datasets }, "ingest start");
      const summary = await withDatabase(cfg, async (db) => {
        try {
          return await runIngest(
            db,
            {
              datasets,
              seasons,
              allowMissing: Boolean(opts.allowMissing),
              base,
              rawDir: cfg.paths.raw_dir,
              policy: {
                timeoutMs: cfg.ingest.timeout_ms,
                retries: cfg.ingest.retries,
                backoffMs: cfg.ingest.backoff_ms,
              },
            },
            fx,
          );
        } finally {
          bar?.stop();
        }
      });
      const loaded = summary.files.filter((f) => f.status === "loaded");
      const unchanged = summary.files.filter((f) => f.status === "unchanged");
      const missing = summary.files.filter((f) => f.status === "missing");
      rt.out(
        `Ingested ${loaded.length} file(s), ${unchanged.length} unchanged, ${missing.length} missing from ${base}`,
      );
      for (const line of describeMissingColumns(loaded)) rt.out(`  note: ${line}`);
      for (const m of describeMissingFiles(missing))
        rt.out(`  skipped (${m.reason ?? "not in source"}): ${m.text}`);
      for (const e of summary.files.filter((f) => f.status === "empty")) {
        rt.out(`  skipped: ${e.dataset} has no rows for season(s) ${seasonRanges(seasons)} in ${e.url}`);
      }
      for (const line of describeUnpublished(summary.notPublished)) rt.out(`  skipped: ${line}`);
      rt.out(rowsTable(summary.rowsBySeason));
    });
}

/**
 * Stored rows, a line per season and a column per dataset: a full-history ingest stays one screen, and a
 * season's schedule count sits beside its other datasets. Teams have no season and get a line of their own.
 */
function rowsTable(rows: IngestSummary["rowsBySeason"]): string {
  const datasets = [...new Set(rows.filter((r) => r.season !== null).map((r) => r.dataset))];
  const bySeason = new Map<number, Record<string, number | null>>();
  for (const r of rows) {
    if (r.season === null) continue;
    const line = bySeason.get(r.season) ?? {
      season: r.season,
      ...Object.fromEntries(datasets.map((d) => [d, null])),
    };
    line[r.dataset] = r.rows;
    bySeason.set(r.season, line);
  }
  const lines = [...bySeason.values()].sort((a, b) => (a.season ?? 0) - (b.season ?? 0));
  const teams = rows.find((r) => r.season === null);
  return [
    ...(lines.length > 0 ? [formatTable(lines, ["season", ...datasets])] : []),
    ...(teams ? [`${teams.dataset}: ${teams.rows} rows`] : []),
  ].join("\n");
}
