import { NflPredError } from "../domain/index.ts";

export const VENUE_OVERRIDES_PATH = "ref/venue_overrides.csv";

/**
 * Parses `ref/venue_overrides.csv` (game_id → stadium_id): nflverse gives 2025–2026 international games
 * the home team's stadium id, which would make a London game look like a home game for travel.
 */
export function parseVenueOverrides(csvText: string): ReadonlyMap<string, string> {
  const lines = csvText.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines[0]?.split(",") ?? [];
  const gi = header.indexOf("game_id");
  const si = header.indexOf("stadium_id");
  if (gi < 0 || si < 0) {
    throw new NflPredError("CONTRACT", `${VENUE_OVERRIDES_PATH}: needs columns game_id and stadium_id`, {
      file: VENUE_OVERRIDES_PATH,
      column: gi < 0 ? "game_id" : "stadium_id",
    });
  }
  const out = new Map<string, string>();
  for (const [n, line] of lines.slice(1).entries()) {
    const cells = line.split(",");
    const game = cells[gi]?.trim();
    const stadium = cells[si]?.trim();
    if (!game || !stadium) {
      throw new NflPredError(
        "CONTRACT",
        `${VENUE_OVERRIDES_PATH} row ${n + 2}: empty game_id or stadium_id`,
        {
          file: VENUE_OVERRIDES_PATH,
        },
      );
    }
    out.set(game, stadium);
  }
  return out;
}
