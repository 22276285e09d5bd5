import type { DatasetName } from "../storage/index.ts";

/** nflverse-data release assets (nflreadr's conventions). */
export const NFLVERSE_BASE = "https://github.com/nflverse/nflverse-data/releases/download";

export type FileFormat = "parquet" | "csv.gz" | "csv";

export interface SourceFile {
  readonly dataset: DatasetName;
  /** The season this file holds, or null for all-seasons files (schedules, teams). */
  readonly season: number | null;
  readonly tag: string;
  readonly file: string;
  /** Formats in order of preference; the first one the source has is used. */
  readonly formats: readonly FileFormat[];
  /** Where the file lives upstream when it is not an nflverse release asset (a mirror keeps `<tag>/<file>`). */
  readonly liveUrl?: string;
  /**
   * Not an nflverse release: the file may lack requested seasons (they keep what is stored) or be
   * unreachable, and neither fails the ingest of the nflverse datasets. A malformed file still does, with
   * a hint to leave it out.
   */
  readonly supplementary?: boolean;
}

interface DatasetSource {
  readonly tag: string;
  /** File name without extension; `{season}` is replaced. */
  readonly file: string;
  /** First season upstream publishes (null: one file for all seasons). */
  readonly firstSeason: number | null;
  readonly formats: readonly FileFormat[];
  readonly liveUrl?: string;
  readonly supplementary?: boolean;
}

const ALL: readonly FileFormat[] = ["parquet", "csv.gz", "csv"];

export const DATASET_SOURCES: Record<DatasetName, DatasetSource> = {
  schedules: { tag: "schedules", file: "games", firstSeason: null, formats: ALL },
  teams: { tag: "teams", file: "teams_colors_logos", firstSeason: null, formats: ["parquet", "csv"] },
  pbp: { tag: "pbp", file: "play_by_play_{season}", firstSeason: 1999, formats: ALL },
  rosters: { tag: "rosters", file: "roster_{season}", firstSeason: 1920, formats: ALL },
  weekly_rosters: { tag: "weekly_rosters", file: "roster_weekly_{season}", firstSeason: 2002, formats: ALL },
  injuries: { tag: "injuries", file: "injuries_{season}", firstSeason: 2009, formats: ALL },
  depth_charts: { tag: "depth_charts", file: "depth_charts_{season}", firstSeason: 2001, formats: ALL },
  snap_counts: { tag: "snap_counts", file: "snap_counts_{season}", firstSeason: 2012, formats: ALL },
  stats_team: { tag: "stats_team", file: "stats_team_week_{season}", firstSeason: 1999, formats: ALL },
  // Not an nflverse release: greerreNFL's team-game sums of nflverse play-by-play EPA, 1999 onward, the
  // only offline source of team EPA before 2019. Its repository has no licence file, so it is fetched at
  // ingest and never shipped.
  team_epa: {
    tag: "derived/wepa_greerreNFL",
    file: "wepa_by_game_at",
    firstSeason: null,
    formats: ["csv"],
    liveUrl: "https://raw.githubusercontent.com/greerreNFL/wepa/HEAD/data/wepa_by_game_at.csv",
    // It trails the season by a week or more and never holds the coming one.
    supplementary: true,
  },
};

export interface PlannedFiles {
  readonly files: SourceFile[];
  /** Dataset-seasons upstream never publishes (e.g. injuries before 2009), with the reason. */
  readonly notPublished: { dataset: DatasetName; season: number; reason: string }[];
}

/** Which source files an ingest of these datasets and seasons needs. */
export function planSourceFiles(datasets: readonly DatasetName[], seasons: readonly number[]): PlannedFiles {
  const files: SourceFile[] = [];
  const notPublished: PlannedFiles["notPublished"] = [];
  for (const dataset of datasets) {
    const src = DATASET_SOURCES[dataset];
    if (src.firstSeason === null) {
      const { tag, file, formats, liveUrl, supplementary } = src;
      files.push({
        dataset,
        season: null,
        tag,
        file,
        formats,
        ...(liveUrl ? { liveUrl } : {}),
        ...(supplementary ? { supplementary } : {}),
      });
      continue;
    }
    for (const season of seasons) {
      if (season < src.firstSeason) {
        notPublished.push({
          dataset,
          season,
          reason: `nflverse publishes ${dataset} from ${src.firstSeason}`,
        });
        continue;
      }
      const file = src.file.replace("{season}", String(season));
      files.push({ dataset, season, tag: src.tag, file, formats: src.formats });
    }
  }
  return { files, notPublished };
}

/**
 * The one URL builder: `<base>/<tag>/<file>.<ext>`; `base` is a URL or a mirror directory. A file that is
 * not an nflverse asset comes from its own `liveUrl` unless a mirror is used.
 */
export function sourceUrl(
  base: string,
  f: Pick<SourceFile, "tag" | "file" | "liveUrl">,
  format: FileFormat,
): string {
  if (f.liveUrl && base === NFLVERSE_BASE) return f.liveUrl;
  return `${base.replace(/\/+$/, "")}/${f.tag}/${f.file}.${format}`;
}
