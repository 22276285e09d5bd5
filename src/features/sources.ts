import type { Game, GameType } from "../domain/index.ts";
import type { TeamGamePbp, TeamWeekDepth, TeamWeekInjuries, TeamWeekRoster } from "./build.ts";
import type { TeamGameEpa } from "./qb.ts";

type Row = Readonly<Record<string, unknown>>;

const num = (v: unknown): number | null => (v === null || v === undefined || v === "" ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined || v === "" ? null : String(v));

/** A `schedules` row (as selected by GAMES_SQL) to a Game. */
export function normalizeGame(r: Row): Game {
  return {
    gameId: String(r.game_id),
    season: Number(r.season),
    week: Number(r.week),
    gameType: String(r.game_type) as GameType,
    kickoff: Number(r.kickoff_ms),
    homeTeam: String(r.home_team),
    awayTeam: String(r.away_team),
    homeScore: num(r.home_score),
    awayScore: num(r.away_score),
    neutralSite: Boolean(r.neutral_site),
    divGame: Number(r.div_game) === 1,
    roof: str(r.roof),
    surface: str(r.surface),
    temp: num(r.temp),
    wind: num(r.wind),
    stadiumId: str(r.stadium_id),
    homeRest: num(r.home_rest),
    awayRest: num(r.away_rest),
    homeQbId: str(r.home_qb_id),
    awayQbId: str(r.away_qb_id),
    spreadLine: num(r.spread_line),
    totalLine: num(r.total_line),
    homeMoneyline: num(r.home_moneyline),
    awayMoneyline: num(r.away_moneyline),
    overtime: r.overtime === null || r.overtime === undefined ? null : Number(r.overtime) === 1,
  };
}

const PBP_KEYS = new Set(["game_id", "season", "team", "side"]);

export function normalizePbp(r: Row): TeamGamePbp {
  const sums: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(r)) if (!PBP_KEYS.has(k)) sums[k] = num(v);
  return { gameId: String(r.game_id), team: String(r.team), side: r.side === "def" ? "def" : "off", sums };
}

export function normalizeInjuries(r: Row): TeamWeekInjuries {
  return {
    season: Number(r.season),
    week: Number(r.week),
    team: String(r.team),
    grp: String(r.grp) as TeamWeekInjuries["grp"],
    nOut: Number(r.n_out),
    nQuestionable: Number(r.n_questionable),
    nDnp: Number(r.n_dnp),
    nLimited: Number(r.n_limited),
    nFull: Number(r.n_full),
  };
}

export function normalizeRoster(r: Row): TeamWeekRoster {
  return {
    season: Number(r.season),
    week: Number(r.week),
    team: String(r.team),
    nReserve: Number(r.n_reserve),
  };
}

export function normalizeDepth(r: Row): TeamWeekDepth {
  return { season: Number(r.season), week: Number(r.week), team: String(r.team), qb1: str(r.qb1) };
}

export function normalizeTeamEpa(r: Row): TeamGameEpa {
  return {
    gameId: String(r.game_id),
    team: String(r.team),
    epa: Number(r.epa),
    epaAgainst: Number(r.epa_against),
  };
}
