import { describe, expect, it } from "vitest";
import { NFLVERSE_BASE, planSourceFiles, sourceUrl } from "./urls.ts";

describe("source URLs", () => {
  const [teamEpa] = planSourceFiles(["team_epa"], [2024]).files;
  const [pbp] = planSourceFiles(["pbp"], [2024]).files;

  it("an nflverse asset comes from the release tag, live or mirrored", () => {
    expect(sourceUrl(NFLVERSE_BASE, pbp!, "parquet")).toBe(`${NFLVERSE_BASE}/pbp/play_by_play_2024.parquet`);
    expect(sourceUrl("/m/", pbp!, "csv.gz")).toBe("/m/pbp/play_by_play_2024.csv.gz");
  });

  it("team_epa comes from its own repository live, and from the mirror's layout otherwise", () => {
    expect(sourceUrl(NFLVERSE_BASE, teamEpa!, "csv")).toBe(
      "https://raw.githubusercontent.com/greerreNFL/wepa/HEAD/data/wepa_by_game_at.csv",
    );
    expect(sourceUrl("/m", teamEpa!, "csv")).toBe("/m/derived/wepa_greerreNFL/wepa_by_game_at.csv");
    expect(sourceUrl("http://127.0.0.1:9/x", teamEpa!, "csv")).toBe(
      "http://127.0.0.1:9/x/derived/wepa_greerreNFL/wepa_by_game_at.csv",
    );
    expect(teamEpa!.supplementary).toBe(true);
  });
});
