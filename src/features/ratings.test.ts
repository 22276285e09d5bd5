import { describe, expect, it } from "vitest";
import { playedGame } from "../../test/helpers/games.ts";
import type { Game } from "../domain/index.ts";
import { marginRatings, powerRatings } from "./ratings.ts";

function game(home: string, away: string, hs: number, as: number, season = 2024, neutral = false): Game {
  return playedGame({
    homeTeam: home,
    awayTeam: away,
    homeScore: hs,
    awayScore: as,
    season,
    neutralSite: neutral,
  });
}

describe("marginRatings", () => {
  it("solves the ridge normal equations by hand on two neutral-site games", () => {
    // A beats B by 10 and by 6 at neutral sites: minimise 2 (d - 8)^2 + ridge (a^2 + b^2) with d = a - b,
    // a = -b by symmetry, so 2 * 2 * (2a - 8) + 2 * ridge * a = 0  →  a = 16 / (4 + ridge).
    const r = marginRatings([game("A", "B", 20, 10, 2024, true), game("A", "B", 16, 10, 2024, true)], 2024, {
      priorSeasonWeight: 0.35,
      ridge: 4,
      marginCap: 24,
    });
    expect(r.get("A")).toBeCloseTo(16 / 8, 9);
    expect(r.get("B")).toBeCloseTo(-16 / 8, 9);
  });

  it("caps blowouts, down-weights last season and ignores older ones", () => {
    const p = { priorSeasonWeight: 0.5, ridge: 0.001, marginCap: 10 };
    const capped = marginRatings([game("A", "B", 60, 0, 2024, true)], 2024, p);
    expect(capped.get("A")! - capped.get("B")!).toBeCloseTo(10, 2);
    const older = marginRatings([game("A", "B", 60, 0, 2022, true)], 2024, p);
    expect(older.size).toBe(0);
  });
});

describe("powerRatings", () => {
  const DAY = 86_400_000;
  const at = (g: Game, kickoff: number): Game => ({ ...g, kickoff });

  it("weights each game by exp(-age / decayDays), by hand on two neutral-site games", () => {
    // b = -a: minimise w1 (2a - 10)^2 + w2 (2a - 6)^2 + 2 ridge a^2  →  a = (10 w1 + 6 w2) / (2 (w1 + w2) + ridge).
    const asOf = 1000 * DAY;
    const p = { decayDays: 200, windowDays: 1095, ridge: 2, marginCap: 21 };
    const r = powerRatings(
      [
        at(game("A", "B", 20, 10, 2024, true), asOf),
        at(game("A", "B", 16, 10, 2023, true), asOf - 200 * DAY),
      ],
      asOf,
      p,
    );
    const w2 = Math.exp(-1);
    expect(r.get("A")).toBeCloseTo((10 + 6 * w2) / (2 * (1 + w2) + 2), 9);
    expect(r.get("B")).toBeCloseTo(-r.get("A")!, 9);
  });

  it("ignores games older than the window and games after asOf", () => {
    const asOf = 5000 * DAY;
    const p = { decayDays: 200, windowDays: 1095, ridge: 2, marginCap: 21 };
    const old = powerRatings([at(game("A", "B", 30, 0, 2010, true), asOf - 1100 * DAY)], asOf, p);
    expect(old.size).toBe(0);
    const later = powerRatings([at(game("A", "B", 30, 0, 2024, true), asOf + DAY)], asOf, p);
    expect(later.size).toBe(0);
  });
});
