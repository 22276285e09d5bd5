import { describe, expect, it } from "vitest";
import { describeMissingColumns, describeMissingFiles, describeUnpublished } from "./missing.ts";

const pbp = (season: number) => ({
  dataset: "pbp",
  season,
  url: `/m/pbp/play_by_play_${season}.{parquet,csv.gz,csv}`,
});

describe("describeMissingFiles", () => {
  it("gives a dataset's missing seasons one line, with the first path", () => {
    const files = [1999, 2000, 2001, 2003].map(pbp);
    expect(describeMissingFiles(files)).toEqual([
      {
        reason: null,
        text: "pbp 1999–2001, 2003: 4 files, the first /m/pbp/play_by_play_1999.{parquet,csv.gz,csv}",
      },
    ]);
  });

  it("keeps a lone file's full path, and datasets and reasons apart, in the order met", () => {
    const teams = { dataset: "teams", season: null, url: "/m/teams/teams_colors_logos.{parquet,csv}" };
    const down = { dataset: "team_epa", season: 2020, url: "http://x/e.csv", reason: "HTTP 503" };
    const lines = describeMissingFiles([pbp(2015), teams, pbp(2016), down]);
    expect(lines).toEqual([
      {
        reason: null,
        text: "pbp 2015–2016: 2 files, the first /m/pbp/play_by_play_2015.{parquet,csv.gz,csv}",
      },
      { reason: null, text: "/m/teams/teams_colors_logos.{parquet,csv}" },
      { reason: "HTTP 503", text: "http://x/e.csv" },
    ]);
  });
});

describe("describeUnpublished", () => {
  it("gives each dataset and reason one line of season runs", () => {
    const reason = "nflverse publishes injuries from 2009";
    const items = [1999, 2000, 2001, 2002].map((season) => ({ dataset: "injuries", season, reason }));
    items.push({ dataset: "snap_counts", season: 2001, reason: "nflverse publishes snap_counts from 2012" });
    expect(describeUnpublished(items)).toEqual([
      "injuries 1999–2002 (nflverse publishes injuries from 2009)",
      "snap_counts 2001 (nflverse publishes snap_counts from 2012)",
    ]);
  });
});

describe("describeMissingColumns", () => {
  it("gives seasons lacking the same columns one line, and keeps a different list apart", () => {
    const cols = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const files = [
      ...[2019, 2020, 2021].map((season) => ({ dataset: "pbp", season, missingColumns: cols })),
      { dataset: "pbp", season: 2025, missingColumns: ["x"] },
      { dataset: "teams", season: null, missingColumns: [] },
    ];
    expect(describeMissingColumns(files)).toEqual([
      "pbp 2019–2021 lack optional columns: a, b, c, d, e, f and 2 more (see ingest_log)",
      "pbp 2025 lacks optional columns: x",
    ]);
  });
});
