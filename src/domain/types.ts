/** Vocabulary shared by every layer. Imports nothing. */

export type Season = number;
export type Week = number;
export type GameId = string;
export type TeamAbbr = string;
/** An instant, as milliseconds since the epoch (UTC). Every point-in-time builder takes one. */
export type AsOf = number;

export type GameType = "REG" | "WC" | "DIV" | "CON" | "SB";

/** One scheduled game, as stored in the `schedules` table, normalised. Scores are null until played. */
export interface Game {
  readonly gameId: GameId;
  readonly season: Season;
  readonly week: Week;
  readonly gameType: GameType;
  /** Kickoff instant in ms (UTC), built from `gameday` + `gametime` in America/New_York. */
  readonly kickoff: number;
  readonly homeTeam: TeamAbbr;
  readonly awayTeam: TeamAbbr;
  readonly homeScore: number | null;
  readonly awayScore: number | null;
  readonly neutralSite: boolean;
  readonly divGame: boolean;
  readonly roof: string | null;
  readonly surface: string | null;
  readonly temp: number | null;
  readonly wind: number | null;
  readonly stadiumId: string | null;
  readonly homeRest: number | null;
  readonly awayRest: number | null;
  readonly homeQbId: string | null;
  readonly awayQbId: string | null;
  readonly spreadLine: number | null;
  readonly totalLine: number | null;
  readonly homeMoneyline: number | null;
  readonly awayMoneyline: number | null;
  readonly overtime: boolean | null;
}

export const MS_MINUTE = 60_000;
export const MS_HOUR = 3_600_000;
export const MS_DAY = 86_400_000;

/** Home-team label: 1 win, 0 loss, 0.5 tie, null when not played. */
export function homeLabel(g: Pick<Game, "homeScore" | "awayScore">): number | null {
  if (g.homeScore === null || g.awayScore === null) return null;
  if (g.homeScore > g.awayScore) return 1;
  if (g.homeScore < g.awayScore) return 0;
  return 0.5;
}

export type Tier = "Strong" | "Lean" | "Pass";

/** Tier on the picked side's probability: Strong ≥ 0.65, Lean 0.55–0.65, Pass < 0.55. */
export function tierFor(pPicked: number): Tier {
  if (pPicked >= 0.65) return "Strong";
  if (pPicked >= 0.55) return "Lean";
  return "Pass";
}
