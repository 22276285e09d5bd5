/**
 * The one home for table definitions. Dataset tables mirror nflverse columns (typed); derived columns
 * added at ingest are listed separately so loaders know what they must compute.
 */
export type ColumnType = "VARCHAR" | "INTEGER" | "DOUBLE" | "DATE" | "BOOLEAN" | "TIMESTAMPTZ";

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
}

export type DatasetName =
  | "schedules"
  | "teams"
  | "pbp"
  | "rosters"
  | "weekly_rosters"
  | "injuries"
  | "depth_charts"
  | "snap_counts"
  | "stats_team"
  | "team_epa";

export const DATASET_NAMES: readonly DatasetName[] = [
  "schedules",
  "pbp",
  "injuries",
  "weekly_rosters",
  "depth_charts",
  "rosters",
  "stats_team",
  "team_epa",
  "snap_counts",
  "teams",
];

function cols(type: ColumnType, names: string): ColumnDef[] {
  return names
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((name) => ({ name, type }));
}

/** Source columns per dataset table, in table order. */
export const SOURCE_COLUMNS: Record<DatasetName, readonly ColumnDef[]> = {
  schedules: [
    ...cols("VARCHAR", "game_id"),
    ...cols("INTEGER", "season"),
    ...cols("VARCHAR", "game_type"),
    ...cols("INTEGER", "week"),
    ...cols("DATE", "gameday"),
    ...cols("VARCHAR", "weekday gametime away_team"),
    ...cols("INTEGER", "away_score"),
    ...cols("VARCHAR", "home_team"),
    ...cols("INTEGER", "home_score"),
    ...cols("VARCHAR", "location"),
    ...cols("INTEGER", "result total overtime"),
    ...cols("VARCHAR", "old_game_id gsis nfl_detail_id pfr pff espn ftn"),
    ...cols("INTEGER", "away_rest home_rest away_moneyline home_moneyline"),
    ...cols("DOUBLE", "spread_line"),
    ...cols("INTEGER", "away_spread_odds home_spread_odds"),
    ...cols("DOUBLE", "total_line"),
    ...cols("INTEGER", "under_odds over_odds div_game"),
    ...cols("VARCHAR", "roof surface"),
    ...cols("DOUBLE", "temp wind"),
    ...cols("VARCHAR", "away_qb_id home_qb_id away_qb_name home_qb_name away_coach home_coach referee"),
    ...cols("VARCHAR", "stadium_id stadium"),
  ],
  teams: [
    ...cols("VARCHAR", "team_abbr team_name team_id team_nick team_conf team_division"),
    ...cols("VARCHAR", "team_color team_color2 team_color3 team_color4 team_logo_wikipedia team_logo_espn"),
    ...cols("VARCHAR", "team_wordmark team_conference_logo team_league_logo team_logo_squared"),
  ],
  pbp: [
    ...cols("VARCHAR", "game_id"),
    ...cols("INTEGER", "play_id season week"),
    ...cols("VARCHAR", "home_team away_team posteam defteam"),
    ...cols("DATE", "game_date"),
    ...cols("DOUBLE", "game_seconds_remaining down ydstogo yardline_100 score_differential"),
    ...cols("VARCHAR", "play_type"),
    ...cols("DOUBLE", "pass_attempt rush_attempt qb_scramble air_yards yards_after_catch yards_gained"),
    ...cols(
      "DOUBLE",
      "complete_pass incomplete_pass interception touchdown sack penalty penalty_yards fumble",
    ),
    ...cols("DOUBLE", "epa wpa success cpoe"),
    ...cols("VARCHAR", "passer_player_id passer_player_name rusher_player_id rusher_player_name"),
    ...cols(
      "VARCHAR",
      "receiver_player_id receiver_player_name solo_tackle_1_player_id solo_tackle_2_player_id",
    ),
    ...cols("DOUBLE", "posteam_score defteam_score posteam_score_post defteam_score_post"),
    ...cols("VARCHAR", "roof surface"),
    ...cols("DOUBLE", "temp wind"),
    ...cols("VARCHAR", "home_coach away_coach season_type"),
    ...cols("DOUBLE", "field_goal_attempt"),
    ...cols("VARCHAR", "field_goal_result"),
    ...cols("DOUBLE", "kick_distance extra_point_attempt"),
    ...cols("VARCHAR", "extra_point_result"),
    ...cols("DOUBLE", "punt_attempt punt_blocked kickoff_attempt return_yards return_touchdown"),
    ...cols("VARCHAR", "kicker_player_id kicker_player_name punter_player_id punter_player_name"),
    ...cols("VARCHAR", "kickoff_returner_player_id kickoff_returner_player_name"),
    ...cols("VARCHAR", "punt_returner_player_id punt_returner_player_name"),
    // Full-release columns absent from the reduced mirror; null when the source lacks them.
    ...cols(
      "DOUBLE",
      "qb_dropback pass rush shotgun no_huddle qb_hit special_teams_play first_down drive qtr",
    ),
    ...cols("DOUBLE", "play_action xpass qb_epa vegas_wp"),
    ...cols("VARCHAR", "penalty_team"),
  ],
  rosters: rosterColumns(),
  weekly_rosters: rosterColumns(),
  injuries: [
    ...cols("INTEGER", "season"),
    ...cols("VARCHAR", "season_type game_type team"),
    ...cols("INTEGER", "week"),
    ...cols("VARCHAR", "gsis_id position full_name first_name last_name"),
    ...cols("VARCHAR", "report_primary_injury report_secondary_injury report_status"),
    ...cols("VARCHAR", "practice_primary_injury practice_secondary_injury practice_status"),
    ...cols("TIMESTAMPTZ", "date_modified"),
  ],
  depth_charts: [
    ...cols("INTEGER", "season"),
    ...cols("VARCHAR", "club_code"),
    ...cols("INTEGER", "week"),
    ...cols("VARCHAR", "game_type depth_team last_name first_name football_name formation gsis_id"),
    ...cols("VARCHAR", "jersey_number position elias_id depth_position full_name"),
    // 2026+ layout (daily snapshots).
    ...cols("TIMESTAMPTZ", "dt"),
    ...cols("VARCHAR", "team player_name espn_id pos_grp_id pos_grp pos_id pos_name pos_abb"),
    ...cols("INTEGER", "pos_slot pos_rank"),
  ],
  snap_counts: [
    ...cols("VARCHAR", "game_id pfr_game_id"),
    ...cols("INTEGER", "season"),
    ...cols("VARCHAR", "game_type"),
    ...cols("INTEGER", "week"),
    ...cols("VARCHAR", "player pfr_player_id position team opponent"),
    ...cols("DOUBLE", "offense_snaps offense_pct defense_snaps defense_pct st_snaps st_pct"),
  ],
  stats_team: [
    ...cols("INTEGER", "season week"),
    ...cols("VARCHAR", "team season_type opponent_team"),
    ...cols("DOUBLE", "completions attempts passing_yards passing_tds passing_interceptions sacks_suffered"),
    ...cols("DOUBLE", "sack_yards_lost passing_air_yards passing_yards_after_catch passing_epa passing_cpoe"),
    ...cols("DOUBLE", "carries rushing_yards rushing_tds rushing_fumbles rushing_fumbles_lost rushing_epa"),
    ...cols("DOUBLE", "receiving_epa special_teams_tds def_sacks def_qb_hits def_interceptions"),
    ...cols("DOUBLE", "def_fumbles_forced penalties penalty_yards fg_made fg_att pat_made pat_att"),
  ],
  // One row per team-game from greerreNFL/wepa: `epa` sums nflverse play-by-play EPA over the team's
  // possessions; `game_id` and the team columns use nfelo codes (see the join in features/sql.ts).
  team_epa: [
    ...cols("VARCHAR", "game_id team opponent"),
    ...cols("INTEGER", "season game_number"),
    ...cols("DOUBLE", "margin epa epa_against wepa wepa_against"),
  ],
};

function rosterColumns(): ColumnDef[] {
  return [
    ...cols("INTEGER", "season"),
    ...cols(
      "VARCHAR",
      "team position depth_chart_position jersey_number status full_name first_name last_name",
    ),
    ...cols("DATE", "birth_date"),
    ...cols("VARCHAR", "height weight college gsis_id espn_id pfr_id years_exp"),
    ...cols("INTEGER", "week"),
    ...cols("VARCHAR", "game_type status_description_abbr football_name entry_year rookie_year"),
  ];
}

/** Columns computed at ingest (not in the source files). */
export const DERIVED_COLUMNS: Partial<Record<DatasetName, readonly ColumnDef[]>> = {
  schedules: [
    ...cols("TIMESTAMPTZ", "kickoff_utc"),
    ...cols("BOOLEAN", "kickoff_estimated neutral_site"),
    ...cols("VARCHAR", "home_team_orig away_team_orig"),
  ],
  pbp: [...cols("VARCHAR", "home_team_orig away_team_orig posteam_orig defteam_orig")],
  injuries: [...cols("VARCHAR", "team_orig")],
  weekly_rosters: [...cols("VARCHAR", "team_orig")],
  rosters: [...cols("VARCHAR", "team_orig")],
  depth_charts: [...cols("VARCHAR", "club_code_orig team_orig")],
  snap_counts: [...cols("VARCHAR", "team_orig opponent_orig")],
  stats_team: [...cols("VARCHAR", "team_orig opponent_team_orig")],
  team_epa: [...cols("VARCHAR", "team_orig opponent_orig")],
};

export function tableColumns(dataset: DatasetName): ColumnDef[] {
  return [...SOURCE_COLUMNS[dataset], ...(DERIVED_COLUMNS[dataset] ?? [])];
}

function datasetDdl(dataset: DatasetName): string {
  const body = tableColumns(dataset)
    .map((c) => `  "${c.name}" ${c.type}`)
    .join(",\n");
  return `CREATE TABLE IF NOT EXISTS ${dataset} (\n${body}\n)`;
}

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

/** Versioned, append-only. Never edit a released migration: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "dataset tables and ingest log",
    statements: [
      // As released: team_epa arrived with migration 5.
      ...DATASET_NAMES.filter((d) => d !== "team_epa").map(datasetDdl),
      `CREATE TABLE IF NOT EXISTS ingest_log (
        dataset VARCHAR NOT NULL, season INTEGER, source_url VARCHAR NOT NULL, format VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL, etag VARCHAR, bytes BIGINT NOT NULL, rows INTEGER NOT NULL,
        missing_columns VARCHAR, raw_path VARCHAR, pulled_at TIMESTAMPTZ NOT NULL, skipped BOOLEAN NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    description: "feature store, predictions, reports, audit, backtests",
    statements: [
      `CREATE TABLE IF NOT EXISTS features (
        season INTEGER NOT NULL, week INTEGER NOT NULL, game_id VARCHAR NOT NULL, team VARCHAR NOT NULL,
        opponent VARCHAR NOT NULL, is_home BOOLEAN NOT NULL, feature_set VARCHAR NOT NULL,
        snapshot_at TIMESTAMPTZ NOT NULL, asof_ts TIMESTAMPTZ NOT NULL, kickoff_utc TIMESTAMPTZ NOT NULL,
        stage VARCHAR, label DOUBLE, built_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (season, week, game_id, team, feature_set, snapshot_at)
      )`,
      `CREATE TABLE IF NOT EXISTS predictions (
        season INTEGER NOT NULL, week INTEGER NOT NULL, game_id VARCHAR NOT NULL,
        home_team VARCHAR NOT NULL, away_team VARCHAR NOT NULL, kickoff_utc TIMESTAMPTZ NOT NULL,
        p_home_win DOUBLE NOT NULL, p_away_win DOUBLE NOT NULL, pick VARCHAR NOT NULL, tier VARCHAR NOT NULL,
        model_id VARCHAR NOT NULL, feature_set VARCHAR NOT NULL, stage VARCHAR NOT NULL,
        snapshot_at TIMESTAMPTZ NOT NULL, asof_ts TIMESTAMPTZ NOT NULL, reasons JSON,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (game_id, model_id, snapshot_at)
      )`,
      `CREATE TABLE IF NOT EXISTS reports (
        season INTEGER NOT NULL, week INTEGER NOT NULL, metric_window VARCHAR NOT NULL, segment VARCHAR NOT NULL,
        brier_score DOUBLE, log_loss DOUBLE, accuracy DOUBLE, ece DOUBLE, n INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (season, week, metric_window, segment)
      )`,
      `CREATE TABLE IF NOT EXISTS audit (
        run_id VARCHAR NOT NULL PRIMARY KEY, command VARCHAR NOT NULL, stage VARCHAR, season INTEGER, week INTEGER,
        snapshot_at TIMESTAMPTZ, asof_ts TIMESTAMPTZ, model_id VARCHAR, model_sha256 VARCHAR, code_version VARCHAR,
        feature_spec_checksum VARCHAR, dataset_versions JSON, input_rows INTEGER, input_hash VARCHAR,
        output_rows INTEGER, created_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS backtest_predictions (
        run_id VARCHAR NOT NULL, game_id VARCHAR NOT NULL, season INTEGER NOT NULL, week INTEGER NOT NULL,
        p_home_win DOUBLE NOT NULL, label DOUBLE, model_id VARCHAR NOT NULL, feature_set VARCHAR NOT NULL,
        p_elo DOUBLE, p_market DOUBLE,
        PRIMARY KEY (run_id, game_id)
      )`,
    ],
  },
  {
    version: 3,
    description: "alerts sent (dedup per channel and key)",
    statements: [
      `CREATE TABLE IF NOT EXISTS alerts_sent (
        channel VARCHAR NOT NULL, dedup_key VARCHAR NOT NULL, season INTEGER, week INTEGER,
        kind VARCHAR NOT NULL, summary VARCHAR, sent_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, dedup_key)
      )`,
    ],
  },
  {
    version: 4,
    description: "model registry events (promote, candidate, rollback)",
    statements: [
      `CREATE TABLE IF NOT EXISTS registry_events (
        event_id VARCHAR NOT NULL PRIMARY KEY, action VARCHAR NOT NULL, model_id VARCHAR,
        model_sha256 VARCHAR, replaced_model_id VARCHAR, forced BOOLEAN NOT NULL, checks JSON,
        note VARCHAR, created_at TIMESTAMPTZ NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    description: "team-game EPA table (team_epa)",
    statements: [datasetDdl("team_epa")],
  },
];
