import { type BuildOptions, DEFAULT_VISIBILITY, FEATURE_SETS } from "../../src/features/index.ts";

/** Builder options for feature tests: the default visibility rules and 538's Elo, every feature. */
export const TEST_BUILD_OPTIONS: BuildOptions = {
  visibility: DEFAULT_VISIBILITY,
  elo: { k: 20, homeAdvantage: 48, marginMultiplier: true, seasonReversion: 1 / 3, initial: 1505 },
  features: FEATURE_SETS.market_v1!,
};
