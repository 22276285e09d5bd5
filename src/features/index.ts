export {
  type BuildOptions,
  buildFeatureRows,
  createFeatureBuilder,
  DEFAULT_VISIBILITY,
  type FeatureRow,
  type FeatureSources,
  spreadToProbability,
  type Target,
  type TeamGamePbp,
  type TeamWeekDepth,
  type TeamWeekInjuries,
  type TeamWeekRoster,
  type VisibilityRules,
  vigFreeHome,
} from "./build.ts";
export { defsForColumns, designColumns, designMatrix, type GamePair } from "./design.ts";
export { type EloParams, eloWinProbability, runElo } from "./elo.ts";
export {
  describeUnscored,
  RESULTS_LOOKBACK_MS,
  type UnscoredSummary,
  unscoredBefore,
} from "./freshness.ts";
export {
  DEFAULT_QB_VALUE,
  epaResiduals,
  marginResiduals,
  type QbResiduals,
  type QbValueParams,
  runQbValues,
  type TeamGameEpa,
} from "./qb.ts";
export {
  DEFAULT_MARGIN_RATING,
  DEFAULT_POWER_RATING,
  type MarginRatingParams,
  marginRatings,
  type PowerRatingParams,
  powerRatings,
} from "./ratings.ts";
export {
  FEATURE_SETS,
  FEATURES,
  type FeatureDef,
  featureSetNames,
  findFeatureSet,
  findModelFeatures,
  MODEL_FEATURES,
  nullIsDataGap,
  PBP_METRICS,
} from "./registry.ts";
export {
  normalizeDepth,
  normalizeGame,
  normalizeInjuries,
  normalizePbp,
  normalizeRoster,
  normalizeTeamEpa,
} from "./sources.ts";
export { featureSpecChecksum, renderFeatureSpec } from "./spec.ts";
export {
  DEPTH_QB1_SQL,
  GAMES_SQL,
  INJURY_TEAM_WEEK_SQL,
  PBP_TEAM_GAME_SQL,
  ROSTER_TEAM_WEEK_SQL,
  TEAM_GAME_EPA_SQL,
} from "./sql.ts";
export { parseStadiumTable, STADIUM_TABLE_PATH, type Stadium } from "./stadiums.ts";
export { greatCircleMiles, timeZonesCrossed, utcOffsetMinutes } from "./travel.ts";
export { parseVenueOverrides, VENUE_OVERRIDES_PATH } from "./venues.ts";
