/**
 * The feature registry: every feature declares what it means, where it comes from, when it becomes
 * visible on the snapshot ladder and what happens when its source is absent. Feature sets are named lists.
 */
export type Scope = "team" | "game";
export type VisibleStage = "T-24h" | "T-100m" | "T-80m" | "T-60m";

export interface FeatureDef {
  readonly name: string;
  readonly group: string;
  readonly scope: Scope;
  readonly definition: string;
  readonly sources: string;
  readonly window: string;
  /** The earliest ladder stage at which the inputs are visible (results: 4 h after each past kickoff). */
  readonly visibleFrom: VisibleStage;
  readonly nullPolicy: string;
  readonly notes?: string;
  /** Monitored for drift (PSI). Labels, scores and identifiers never are. */
  readonly monitored: boolean;
}

const RESULTS = "past results visible 4 h after each kickoff";

function def(
  group: string,
  scope: Scope,
  name: string,
  definition: string,
  sources: string,
  window: string,
  visibleFrom: VisibleStage,
  nullPolicy: string,
  notes?: string,
): FeatureDef {
  return {
    name,
    group,
    scope,
    definition,
    sources,
    window,
    visibleFrom,
    nullPolicy,
    monitored: true,
    ...(notes ? { notes } : {}),
  };
}

export const WINDOWS = ["l4", "l8", "std"] as const;
export type WindowName = (typeof WINDOWS)[number];
const WINDOW_TEXT: Record<WindowName, string> = {
  l4: "last 4 games (across seasons)",
  l8: "last 8 games (across seasons)",
  std: "season to date, blended with the prior season's per-game rate until 4 games are played",
};

/** Play-by-play metrics: numerator / denominator over the team's plays (offence) or its opponents' (defence). */
export const PBP_METRICS = [
  { key: "epa_play", text: "EPA per play (dropbacks + designed runs)", cols: "epa, play_type, qb_scramble" },
  { key: "early_epa", text: "EPA per early-down (1st/2nd) play", cols: "epa, down" },
  { key: "success", text: "success rate (EPA > 0)", cols: "success" },
  { key: "pass_rate", text: "dropbacks / (dropbacks + designed runs)", cols: "play_type, qb_scramble" },
  { key: "sack_rate", text: "sacks per dropback", cols: "sack" },
  { key: "qb_hit_rate", text: "QB hits per dropback", cols: "qb_hit (absent in the reduced mirror: null)" },
  { key: "expl_pass", text: "completed-or-not passes of 15+ yards per dropback", cols: "yards_gained, sack" },
  { key: "expl_run", text: "designed runs of 10+ yards per designed run", cols: "yards_gained" },
  {
    key: "st_epa",
    text: "special-teams EPA per game (kickoffs, punts, field goals, extra points)",
    cols: "epa, play_type",
  },
  { key: "pen_rate", text: "penalties per snap", cols: "penalty" },
  { key: "shotgun", text: "shotgun rate", cols: "shotgun (absent in the reduced mirror: null)" },
  { key: "no_huddle", text: "no-huddle rate", cols: "no_huddle (absent in the reduced mirror: null)" },
  {
    key: "play_action",
    text: "play-action rate per dropback (FTN, 2022+)",
    cols: "play_action (absent: null)",
  },
] as const;
export type PbpMetric = (typeof PBP_METRICS)[number]["key"];

function pbpFeatures(): FeatureDef[] {
  const out: FeatureDef[] = [];
  for (const side of ["off", "def"] as const) {
    for (const m of PBP_METRICS) {
      for (const w of WINDOWS) {
        out.push(
          def(
            "pbp",
            "team",
            `${side}_${m.key}_${w}`,
            `${side === "off" ? "Offence" : "Defence (allowed)"}: ${m.text}`,
            `pbp: ${m.cols}`,
            WINDOW_TEXT[w],
            "T-24h",
            "null when no earlier game of the team has play-by-play (pbp before 2019 is not in the mirror) or the column is absent",
            "only games visible at the as-of time (kickoff + 4 h); the game itself never",
          ),
        );
      }
    }
  }
  return out;
}

function pointsFeatures(): FeatureDef[] {
  const out: FeatureDef[] = [];
  for (const [key, text] of [
    ["pf", "points scored per game"],
    ["pa", "points allowed per game"],
    ["margin", "point margin per game"],
  ] as const) {
    for (const w of WINDOWS) {
      out.push(
        def(
          "strength",
          "team",
          `${key}_${w}`,
          text,
          "schedules: home_score, away_score",
          WINDOW_TEXT[w],
          "T-24h",
          "null before a team's first visible game",
          RESULTS,
        ),
      );
    }
  }
  return out;
}

export const FEATURES: readonly FeatureDef[] = [
  def(
    "strength",
    "team",
    "elo_pre",
    "538-style Elo before the game (K, home advantage, margin multiplier, season reversion from config)",
    "schedules: scores",
    "all visible games since 1999",
    "T-24h",
    "initial rating before a team's first game",
    RESULTS,
  ),
  def(
    "strength",
    "game",
    "elo_prob_home",
    "Elo win probability of the home team (home advantage removed at neutral sites)",
    "elo_pre of both teams",
    "as elo_pre",
    "T-24h",
    "never null",
  ),
  def(
    "strength",
    "team",
    "margin_rating",
    "point-margin rating: ridge least squares of capped (±24) margins on team ratings + home advantage, this season weight 1 and last season 0.35, ridge 4 games toward 0",
    "schedules: scores",
    "this season + last season (down-weighted)",
    "T-24h",
    "0 (league average) before any visible game",
    RESULTS,
  ),
  def(
    "strength",
    "team",
    "power_rating",
    "point-margin rating with decaying weights: ridge least squares of capped (±21) margins on team ratings + home advantage, a game d days old weighted exp(−d/200), ridge 2 games toward 0",
    "schedules: scores",
    "the last 3 years of visible games (no reset at season boundaries)",
    "T-24h",
    "0 (league average) before any visible game",
    `${RESULTS}; decay and ridge chosen on 2006–2014 walk-forward`,
  ),
  ...pointsFeatures(),
  def(
    "strength",
    "team",
    "games_std",
    "games played this season and visible",
    "schedules",
    "season to date",
    "T-24h",
    "0 at the season opener",
  ),
  def(
    "schedule",
    "game",
    "neutral_site",
    "1 when location is Neutral",
    "schedules: location",
    "-",
    "T-24h",
    "never null",
  ),
  def(
    "schedule",
    "team",
    "rest_days",
    "days since the team's previous game this season",
    "schedules: kickoff",
    "-",
    "T-24h",
    "null at the season opener",
  ),
  def(
    "schedule",
    "team",
    "short_week",
    "1 when rest_days < 6",
    "schedules",
    "-",
    "T-24h",
    "null at the season opener",
  ),
  def(
    "schedule",
    "team",
    "bye_before",
    "1 when rest_days >= 13 (a bye week, or a playoff bye)",
    "schedules",
    "-",
    "T-24h",
    "null at the season opener",
  ),
  ...["thu", "sun_early", "sun_late", "sun_night", "mon", "sat", "intl", "other"].map((b) =>
    def(
      "schedule",
      "game",
      `kickoff_${b}`,
      `1 when the kickoff bucket is ${b} (US Eastern weekday and hour; intl = outside the USA)`,
      "schedules: kickoff_utc, stadium table",
      "-",
      "T-24h",
      "never null",
    ),
  ),
  def(
    "schedule",
    "game",
    "div_game",
    "1 for a division game",
    "schedules: div_game",
    "-",
    "T-24h",
    "null if absent",
  ),
  def(
    "schedule",
    "game",
    "roof_indoor",
    "1 for dome or closed roof",
    "schedules: roof (cleaned)",
    "-",
    "T-24h",
    "null if roof unknown",
  ),
  def(
    "schedule",
    "game",
    "surface_turf",
    "1 for artificial turf",
    "schedules: surface (trimmed)",
    "-",
    "T-24h",
    "null if surface unknown",
  ),
  def(
    "schedule",
    "game",
    "playoff",
    "1 for a playoff game",
    "schedules: game_type",
    "-",
    "T-24h",
    "never null",
  ),
  def(
    "schedule",
    "game",
    "playoff_round",
    "0 REG, 1 WC, 2 DIV, 3 CON, 4 SB",
    "schedules: game_type",
    "-",
    "T-24h",
    "never null",
  ),
  def(
    "travel",
    "team",
    "travel_miles",
    "great-circle miles from the team's previous venue this season (home venue at the opener)",
    "stadium table",
    "-",
    "T-24h",
    "null when a venue has no coordinates",
  ),
  def(
    "travel",
    "team",
    "tz_crossed",
    "time zones between the previous venue and this one at kickoff",
    "stadium table",
    "-",
    "T-24h",
    "null when a venue is unknown",
  ),
  def(
    "travel",
    "game",
    "altitude_ft",
    "venue altitude in feet",
    "stadium table",
    "-",
    "T-24h",
    "null when the venue is unknown",
  ),
  def(
    "qb",
    "team",
    "qb_changed",
    "1 when the starting QB differs from the team's previous game",
    "schedules: home_qb_id/away_qb_id",
    "-",
    "T-80m",
    "null before T-80m and at a team's first game",
    "the starter is confirmed with the inactives, about 90 min before kickoff",
  ),
  def(
    "qb",
    "team",
    "qb_prior_starts",
    "starts by this QB in earlier games (any team)",
    "schedules: qb ids",
    "all earlier games",
    "T-80m",
    "null before T-80m",
  ),
  def(
    "qb",
    "team",
    "qb_value",
    "starting QB's value in points: exponentially weighted mean (step ≥ 0.05) of his teams' margins over the Elo expectation in his starts, shrunk toward −6 with the weight of 16 starts",
    "schedules: qb ids, scores; Elo",
    "all earlier starts (any team)",
    "T-80m",
    "null before T-80m or without a starter id; −6 for a QB with no visible start",
    `starter at T-80m; ${RESULTS}`,
  ),
  def(
    "qb",
    "team",
    "qb_value_delta",
    "qb_value of this game's starter minus the mean current value of the team's last 16 starters: negative when a backup starts",
    "schedules: qb ids, scores; Elo",
    "the team's last 16 starts",
    "T-80m",
    "null before T-80m or without a starter id",
    `starter at T-80m; ${RESULTS}`,
  ),
  def(
    "qb",
    "team",
    "qb_epa_delta",
    "like qb_value_delta, but a QB's value is his offences' EPA over what each opposing defence allowed in its previous 16 games (same weighting, prior −6, 16 starts)",
    "play-by-play EPA, else team_epa (greerreNFL); schedules: qb ids",
    "the team's last 16 starts",
    "T-80m",
    "null before T-80m or without a starter id",
    `starter at T-80m; ${RESULTS}; a game without EPA rates no QB`,
  ),
  def(
    "weather",
    "game",
    "temp",
    "game-time temperature °F, open-air only",
    "schedules: temp (stands in for the forecast)",
    "-",
    "T-60m",
    "null indoors, when absent, or before T-60m",
    "schedules carry observed game-time weather; we use it as the forecast stand-in",
  ),
  def(
    "weather",
    "game",
    "wind",
    "game-time wind mph, open-air only",
    "schedules: wind (forecast stand-in)",
    "-",
    "T-60m",
    "null indoors, when absent, or before T-60m",
  ),
  def(
    "hfa",
    "game",
    "venue_hfa_3y",
    "mean home margin at this venue over the 3 prior seasons plus this season to date",
    "schedules: scores, stadium_id",
    "3 seasons",
    "T-24h",
    "null at neutral sites or with fewer than 8 games",
  ),
  def(
    "hfa",
    "game",
    "venue_hfa_yoy",
    "venue_hfa_3y minus the same measure one season earlier",
    "schedules",
    "3 seasons",
    "T-24h",
    "null when either is null",
  ),
  def(
    "rules",
    "game",
    "kickoff_2024plus",
    "1 from 2024 (dynamic kickoff rule)",
    "season",
    "-",
    "T-24h",
    "never null",
    "see data/ref/rule_flags.yml",
  ),
  def(
    "rules",
    "game",
    "ot_regular_2025plus",
    "1 from 2025 (regular-season overtime rule)",
    "season",
    "-",
    "T-24h",
    "never null",
    "see data/ref/rule_flags.yml",
  ),
  ...pbpFeatures(),
  def(
    "roster",
    "team",
    "roster_reserve",
    "players on reserve lists in the team's weekly roster",
    "weekly_rosters: status = RES",
    "this week",
    "T-24h",
    "null when the weekly roster is absent (mirror: 2021–2025)",
  ),
  def(
    "roster",
    "team",
    "depth_qb1_changed",
    "1 when the depth-chart QB1 differs from the previous week's",
    "depth_charts: position, depth_team",
    "this week vs previous",
    "T-24h",
    "null when depth charts are absent (mirror: 2021–2024)",
  ),
  ...(
    [
      ["inj_out_qb", "QBs listed Out or Doubtful"],
      ["inj_out_off", "other offensive players listed Out or Doubtful"],
      ["inj_out_def", "defensive players listed Out or Doubtful"],
      ["inj_questionable", "players listed Questionable"],
      ["inj_dnp", "players who did not practise"],
      ["inj_limited", "players limited in practice"],
      ["inj_full", "players with full practice on the report"],
    ] as const
  ).map(([name, text]) =>
    def(
      "injuries",
      "team",
      name,
      `count of ${text} on the week's injury report`,
      "injuries: report_status, practice_status, position",
      "this week",
      "T-24h",
      "null when the report is absent (mirror: 2021–2025) or not yet visible",
    ),
  ),
  def(
    "market",
    "game",
    "spread_home",
    "closing spread from the home side (positive = home favoured)",
    "schedules: spread_line",
    "-",
    "T-60m",
    "null when absent or before T-60m",
    "market_v1 only",
  ),
  def(
    "market",
    "game",
    "ml_prob_home",
    "vig-free moneyline probability of the home team",
    "schedules: home_moneyline, away_moneyline",
    "-",
    "T-60m",
    "null when absent or before T-60m",
    "market_v1 only",
  ),
  def(
    "market",
    "game",
    "total_line",
    "closing total",
    "schedules: total_line",
    "-",
    "T-60m",
    "null when absent or before T-60m",
    "market_v1 only",
  ),
];

/**
 * Groups whose null means the input is not known yet or absent upstream (a starter not named, a line not
 * posted, a report not filed, play-by-play not ingested), rather than not applying to the game (a season
 * opener's rest days, a neutral site's venue edge). Predictions warn about the first kind only.
 */
const DATA_GAP_GROUPS: ReadonlySet<string> = new Set(["qb", "market", "injuries", "roster", "pbp"]);

/** Whether a null value of this feature is a data gap (see `DATA_GAP_GROUPS`), not a case it defines. */
export function nullIsDataGap(def: FeatureDef): boolean {
  return DATA_GAP_GROUPS.has(def.group);
}

export const FEATURE_SETS: Record<string, readonly string[]> = {
  mvp_v1: FEATURES.filter((f) => f.group !== "market").map((f) => f.name),
  market_v1: FEATURES.map((f) => f.name),
};

const CORE_VIEW = [
  "power_rating",
  "neutral_site",
  "rest_days",
  "qb_changed",
  "qb_value_delta",
  "qb_epa_delta",
  "venue_hfa_3y",
  "playoff",
  "div_game",
] as const;

/**
 * The columns a model of each set uses by default (`training.model_features` overrides): a compact
 * view, because a few thousand games cannot pin down 132 coefficients, and the wide model was no
 * better than Elo alone. Chosen by walk-forward on 2006–2014 (scripts/tune.ts).
 */
export const MODEL_FEATURES: Record<string, readonly string[]> = {
  mvp_v1: CORE_VIEW,
  // The closing spread is already an expected margin. Adding the whole core view scored better on
  // 2006–2014 (0.2091 vs 0.2097) but worse on 2015–2025 (0.2126 vs 0.2117): lines got sharper.
  market_v1: ["spread_home", "qb_changed", "qb_value_delta"],
};

/**
 * The features a model of `featureSet` trains on: `names` when given (each must be in the set), else the
 * set's default view, else the whole set. Undefined for an unknown set.
 */
export function findModelFeatures(
  featureSet: string,
  names: readonly string[] = [],
): { defs: readonly FeatureDef[]; unknown: string[] } | undefined {
  const all = findFeatureSet(featureSet);
  if (!all) return undefined;
  const wanted = names.length > 0 ? names : (MODEL_FEATURES[featureSet] ?? all.map((d) => d.name));
  const byName = new Map(all.map((d) => [d.name, d]));
  return {
    defs: wanted.flatMap((n) => byName.get(n) ?? []),
    unknown: wanted.filter((n) => !byName.has(n)),
  };
}

export function featureSetNames(): string[] {
  return Object.keys(FEATURE_SETS);
}

/** The features of a set, or undefined for an unknown set. */
export function findFeatureSet(name: string): readonly FeatureDef[] | undefined {
  const names = FEATURE_SETS[name];
  if (!names) return undefined;
  const set = new Set(names);
  return FEATURES.filter((f) => set.has(f.name));
}
