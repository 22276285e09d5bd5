import { readFileSync } from "node:fs";
import type { Config } from "../config/index.ts";
import { type Game, MS_MINUTE, NflPredError } from "../domain/index.ts";
import {
  type BuildOptions,
  DEPTH_QB1_SQL,
  describeUnscored,
  type FeatureSources,
  GAMES_SQL,
  INJURY_TEAM_WEEK_SQL,
  normalizeDepth,
  normalizeGame,
  normalizeInjuries,
  normalizePbp,
  normalizeRoster,
  normalizeTeamEpa,
  PBP_TEAM_GAME_SQL,
  parseStadiumTable,
  parseVenueOverrides,
  ROSTER_TEAM_WEEK_SQL,
  STADIUM_TABLE_PATH,
  TEAM_GAME_EPA_SQL,
  type UnscoredSummary,
  unscoredBefore,
  VENUE_OVERRIDES_PATH,
} from "../features/index.ts";
import type { Database } from "../storage/index.ts";
import { formatUtc } from "./time.ts";

const PACKAGE_ROOT = new URL("../../", import.meta.url);

function readPackageFile(rel: string): { text: string; path: string } {
  const url = new URL(rel, PACKAGE_ROOT);
  try {
    return { text: readFileSync(url, "utf8"), path: url.pathname };
  } catch (cause) {
    throw new NflPredError("NOT_FOUND", `cannot read ${url.pathname}`, { file: url.pathname, cause });
  }
}

/** Everything the feature builders read, loaded once from the database and the project's reference data. */
export async function loadFeatureSources(db: Database, seasons?: readonly number[]): Promise<FeatureSources> {
  // Post-game and weekly sources only matter for the seasons being built and the one before (windows
  // reach back at most a season); schedules are always loaded whole because Elo runs from 1999.
  const wanted = seasons ? [...new Set(seasons.flatMap((s) => [s - 1, s]))] : undefined;
  const restrict = (sql: string) =>
    wanted ? `SELECT * FROM (${sql}) WHERE season IN (${wanted.map(Number).join(", ")})` : sql;
  const games = (await db.all(GAMES_SQL)).map(normalizeGame);
  if (games.length === 0) {
    throw new NflPredError("NO_DATA", "the schedules table is empty", {
      hint: "run `npx nfl-pred ingest --seasons <seasons> --datasets schedules` first",
    });
  }
  const stadiumFile = readPackageFile(STADIUM_TABLE_PATH);
  const overridesFile = readPackageFile(VENUE_OVERRIDES_PATH);
  return {
    games,
    pbp: (await db.all(restrict(PBP_TEAM_GAME_SQL))).map(normalizePbp),
    // Whole history: a QB's value runs over his career.
    teamEpa: (await db.all(TEAM_GAME_EPA_SQL)).map(normalizeTeamEpa),
    injuries: (await db.all(restrict(INJURY_TEAM_WEEK_SQL))).map(normalizeInjuries),
    rosters: (await db.all(restrict(ROSTER_TEAM_WEEK_SQL))).map(normalizeRoster),
    depth: (await db.all(restrict(DEPTH_QB1_SQL))).map(normalizeDepth),
    stadiums: parseStadiumTable(stadiumFile.text),
    venueOverrides: parseVenueOverrides(overridesFile.text),
  };
}

/**
 * One line on the history behind the long-memory features: Elo, ratings and QB values run over every
 * stored result, and `qb_epa_delta` over every team-game with EPA. A short history weakens them silently.
 */
export function historyNote(sources: FeatureSources): string {
  const seasonOf = new Map(sources.games.map((g) => [g.gameId, g.season]));
  const span = (seasons: number[]) =>
    seasons.length === 0 ? null : `${Math.min(...seasons)}–${Math.max(...seasons)}`;
  const results = span(sources.games.filter((g) => g.homeScore !== null).map((g) => g.season));
  const epa = span([...new Set(sources.teamEpa.flatMap((r) => seasonOf.get(r.gameId) ?? []))]);
  return (
    `History: results ${results ?? "none"}; team EPA ${epa ?? "none"}` +
    (epa ? "" : " (qb_epa_delta rates every QB at its prior: ingest --datasets team_epa,pbp)")
  );
}

/**
 * Games that should have a result by `asOf` but have none stored (see `unscoredBefore`), said in one
 * line with the ingest that refreshes them; undefined when every such result is there.
 */
export function describeMissingResults(
  games: readonly Game[],
  asOf: number,
  cfg: Config,
): UnscoredSummary | undefined {
  const missing = unscoredBefore(games, asOf, {
    postGameDelayMs: cfg.features.visibility.post_game_delay_minutes * MS_MINUTE,
  });
  return describeUnscored(missing, formatUtc(asOf));
}

/** `describeMissingResults` as the warning line a command prints before building on those results. */
export function missingResultsWarning(games: readonly Game[], asOf: number, cfg: Config): string | undefined {
  const m = describeMissingResults(games, asOf, cfg);
  return (
    m &&
    `warning: ${m.detail}: features built now count them as not played. ` +
      `Unless they were never completed, refresh the results: ${m.fix}`
  );
}

export function buildOptions(cfg: Config, features: readonly string[]): BuildOptions {
  const v = cfg.features.visibility;
  const e = cfg.features.elo;
  return {
    features,
    visibility: {
      postGameDelayMs: v.post_game_delay_minutes * MS_MINUTE,
      preGameLeadMs: v.pre_game_lead_minutes * MS_MINUTE,
      qbLeadMs: 80 * MS_MINUTE,
      weeklyReportLeadMs: v.weekly_report_lead_hours * 60 * MS_MINUTE,
    },
    elo: {
      k: e.k,
      homeAdvantage: e.home_advantage,
      marginMultiplier: e.margin_multiplier,
      seasonReversion: e.season_reversion,
      initial: e.initial,
    },
  };
}
