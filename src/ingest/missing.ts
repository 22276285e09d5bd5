import { seasonRanges } from "../domain/index.ts";

/** A file the source did not have (`url` names every format tried, e.g. `….{parquet,csv.gz,csv}`). */
export interface MissingFile {
  readonly dataset: string;
  readonly season: number | null;
  readonly url: string;
  /** Why it was skipped, when it is not simply absent (an unreachable supplementary source). */
  readonly reason?: string;
}

/** Items with the same dataset and reason, in first-seen order. */
function byDatasetAndReason<T extends { readonly dataset: string; readonly reason?: string }>(
  items: readonly T[],
): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = `${item.dataset}\u0000${item.reason ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

/**
 * One line per dataset and reason, not one per file: a full-history ingest from a partial mirror lacks a
 * hundred files, and what the operator needs is which datasets and seasons, with one path to look at.
 * A dataset with a single missing file keeps its full path.
 */
export function describeMissingFiles(
  files: readonly MissingFile[],
): { reason: string | null; text: string }[] {
  return byDatasetAndReason(files).map((list) => {
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
  return byDatasetAndReason(items).map(
    (list) => `${list[0]!.dataset} ${seasonRanges(list.map((n) => n.season))} (${list[0]!.reason})`,
  );
}
