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
export { designColumns, designMatrix, type GamePair } from "./design.ts";
export { type EloParams, eloWinProbability, runElo } from "./elo.ts";
export {
  FEATURE_SETS,
  FEATURES,
  type FeatureDef,
  featureSetNames,
  findFeatureSet,
  PBP_METRICS,
} from "./registry.ts";
export {
  normalizeDepth,
  normalizeGame,
  normalizeInjuries,
  normalizePbp,
  normalizeRoster,
} from "./sources.ts";
export { featureSpecChecksum, renderFeatureSpec } from "./spec.ts";
export {
  DEPTH_QB1_SQL,
  GAMES_SQL,
  INJURY_TEAM_WEEK_SQL,
  PBP_TEAM_GAME_SQL,
  ROSTER_TEAM_WEEK_SQL,
} from "./sql.ts";
export { parseStadiumTable, STADIUM_TABLE_PATH, type Stadium } from "./stadiums.ts";
export { greatCircleMiles, timeZonesCrossed, utcOffsetMinutes } from "./travel.ts";
export { parseVenueOverrides, VENUE_OVERRIDES_PATH } from "./venues.ts";
