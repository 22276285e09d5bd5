import type { DatasetName } from "../storage/index.ts";

/**
 * What a source file must hold to be stored. `layouts` lists alternative required-column sets (a file
 * must satisfy one); every other table column is optional and recorded as missing when absent.
 */
export interface DatasetContract {
  readonly layouts: readonly (readonly string[])[];
  /** Columns holding team abbreviations, normalised (OAK→LV, SD→LAC, STL→LA) with the original kept. */
  readonly teamColumns: readonly string[];
  /** Source column that holds the season; absent in some layouts, then filled from the file's season. */
  readonly seasonColumn: string | null;
}

export const CONTRACTS: Record<DatasetName, DatasetContract> = {
  schedules: {
    layouts: [
      [
        "game_id",
        "season",
        "game_type",
        "week",
        "gameday",
        "weekday",
        "gametime",
        "away_team",
        "away_score",
        "home_team",
        "home_score",
        "location",
        "roof",
        "surface",
        "stadium_id",
      ],
    ],
    teamColumns: ["home_team", "away_team"],
    seasonColumn: "season",
  },
  teams: {
    layouts: [["team_abbr", "team_name", "team_conf", "team_division", "team_color", "team_color2"]],
    teamColumns: [],
    seasonColumn: null,
  },
  pbp: {
    layouts: [
      [
        "game_id",
        "play_id",
        "season",
        "week",
        "home_team",
        "away_team",
        "posteam",
        "defteam",
        "play_type",
        "down",
        "yards_gained",
        "pass_attempt",
        "rush_attempt",
        "sack",
        "penalty",
        "epa",
        "success",
      ],
    ],
    teamColumns: ["home_team", "away_team", "posteam", "defteam"],
    seasonColumn: "season",
  },
  rosters: {
    layouts: [["season", "team", "gsis_id", "position", "full_name"]],
    teamColumns: ["team"],
    seasonColumn: "season",
  },
  weekly_rosters: {
    layouts: [["season", "team", "week", "gsis_id", "position", "status", "full_name"]],
    teamColumns: ["team"],
    seasonColumn: "season",
  },
  injuries: {
    layouts: [["season", "team", "week", "gsis_id", "position", "report_status", "practice_status"]],
    teamColumns: ["team"],
    seasonColumn: "season",
  },
  depth_charts: {
    layouts: [
      ["season", "club_code", "week", "gsis_id", "position", "depth_team"],
      ["dt", "team", "gsis_id", "pos_abb", "pos_rank"],
    ],
    teamColumns: ["club_code", "team"],
    seasonColumn: "season",
  },
  snap_counts: {
    layouts: [["game_id", "season", "week", "team", "player", "offense_snaps", "defense_snaps"]],
    teamColumns: ["team", "opponent"],
    seasonColumn: "season",
  },
  stats_team: {
    layouts: [["season", "week", "team", "opponent_team", "attempts", "carries", "passing_epa"]],
    teamColumns: ["team", "opponent_team"],
    seasonColumn: "season",
  },
  team_epa: {
    layouts: [["game_id", "team", "opponent", "season", "epa", "epa_against"]],
    teamColumns: ["team", "opponent"],
    seasonColumn: "season",
  },
};

/** Franchise moves and aliases, to the current nflverse abbreviation. */
export const TEAM_ALIASES: Readonly<Record<string, string>> = {
  OAK: "LV",
  SD: "LAC",
  STL: "LA",
  LAR: "LA",
  JAC: "JAX",
  WSH: "WAS",
  ARZ: "ARI",
  BLT: "BAL",
  CLV: "CLE",
  HST: "HOU",
};
