import type { Game } from "../../src/domain/index.ts";

/** A played regular-season game with every optional schedule field empty, for hand-worked examples. */
export function playedGame(
  g: Pick<Game, "homeTeam" | "awayTeam" | "homeScore" | "awayScore"> & Partial<Game>,
): Game {
  return {
    gameId: `${g.season ?? 2024}_${g.homeTeam}_${g.awayTeam}_${g.kickoff ?? 0}_${g.homeScore}`,
    season: 2024,
    week: 1,
    gameType: "REG",
    kickoff: 0,
    neutralSite: false,
    divGame: false,
    roof: null,
    surface: null,
    temp: null,
    wind: null,
    stadiumId: null,
    homeRest: null,
    awayRest: null,
    homeQbId: null,
    awayQbId: null,
    spreadLine: null,
    totalLine: null,
    homeMoneyline: null,
    awayMoneyline: null,
    overtime: null,
    ...g,
  };
}
