import { seasonRanges } from "../domain/index.ts";

/** A file the source did not have (`url` names every format tried, e.g. `….{parquet,csv.gz,csv}`). */
export interface MissingFile {
  readonly dataset: string;
  readonly season: number | null;
  readonly url: string;
  /** Why it was skipped, when it is not simply absent (an unreachable supplementary source). */
  readonly reason?: string;
}

/** Items grouped by `key`, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

const byDatasetAndReason = (item: { readonly dataset: string; readonly reason?: string }) =>
  `${item.dataset}\u0000${item.reason ?? ""}`;

/**
 * One line per dataset and reason, not one per file: a full-history ingest from a partial mirror lacks a
 * hundred files, and what the operator needs is which datasets and seasons, with one path to look at.
 * A dataset with a single missing file keeps its full path.
 */
export function describeMissingFiles(
  files: readonly MissingFile[],
): { reason: string | null; text: string }[] {
  return groupBy(files, byDatasetAndReason).map((list) => {
    const first = list[0]!;
    const seasons = list.flatMap((f) => (f.season === null ? [] : [f.season]));
    const text =
      list.length === 1
        ? first.url
        : `${first.dataset} ${seasonRanges(seasons)}: ${list.length} files, the first ${first.url}`;
    return { reason: first.reason ?? null, text };
  });
}

/** Seasons nflverse does not publish for a dataset, one line per dataset: `injuries 1999–2008 (…)`. */
export function describeUnpublished(
  items: readonly { readonly dataset: string; readonly season: number; readonly reason: string }[],
): string[] {
  return groupBy(items, byDatasetAndReason).map(
    (list) => `${list[0]!.dataset} ${seasonRanges(list.map((n) => n.season))} (${list[0]!.reason})`,
  );
}

/**
 * Optional columns a dataset's files lacked, one line per dataset and column list (the mirror's reduced
 * play-by-play lacks the same 33 columns in six seasons): `pbp 2019–2024 lack optional columns: …`.
 */
export function describeMissingColumns(
  files: readonly {
    readonly dataset: string;
    readonly season: number | null;
    readonly missingColumns: readonly string[];
  }[],
  shown = 6,
): string[] {
  const lacking = files.filter((f) => f.missingColumns.length > 0);
  return groupBy(lacking, (f) => `${f.dataset}\u0000${f.missingColumns.join(",")}`).map((list) => {
    const { dataset, missingColumns: cols } = list[0]!;
    const seasons = list.flatMap((f) => (f.season === null ? [] : [f.season]));
    const which = seasons.length > 0 ? `${dataset} ${seasonRanges(seasons)}` : dataset;
    const more = cols.length > shown ? ` and ${cols.length - shown} more (see ingest_log)` : "";
    return `${which} ${list.length > 1 ? "lack" : "lacks"} optional columns: ${cols.slice(0, shown).join(", ")}${more}`;
  });
}
