import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFeatureSources } from "../../src/cli/feature-sources.ts";
import { MS_MINUTE } from "../../src/domain/index.ts";
import { buildFeatureRows, type FeatureRow, type FeatureSources } from "../../src/features/index.ts";
import type { Database } from "../../src/storage/index.ts";
import { TEST_BUILD_OPTIONS } from "../helpers/features.ts";
import { mirrorDatabase } from "../helpers/mirror.ts";

const OPTS = TEST_BUILD_OPTIONS;

/**
 * Hand-checked cases on real schedules. Each expected value was worked out from games.csv by hand (the
 * comments show how), not read back from the builder.
 */
describe("worked examples", () => {
  let db: Database;
  let sources: FeatureSources;
  const rowsOf = (gameId: string, asOffsetMin = -60): Record<string, FeatureRow> => {
    const g = sources.games.find((x) => x.gameId === gameId);
    if (!g) throw new Error(`missing ${gameId}`);
    const rows = buildFeatureRows(sources, [{ gameId, asOf: g.kickoff + asOffsetMin * MS_MINUTE }], OPTS);
    return Object.fromEntries(rows.map((r) => [r.team, r]));
  };

  beforeAll(async () => {
    ({ db } = await mirrorDatabase(["schedules"], [1999, 2023, 2024]));
    sources = await loadFeatureSources(db);
  });
  afterAll(() => db?.close());

  it("short week: BUF and MIA play Thursday 2024-09-12 after Sunday 2024-09-08", () => {
    const r = rowsOf("2024_02_BUF_MIA");
    for (const team of ["BUF", "MIA"]) {
      expect(r[team]!.values.rest_days).toBe(4);
      expect(r[team]!.values.short_week).toBe(1);
      expect(r[team]!.values.bye_before).toBe(0);
    }
  });

  it("bye: DET played Monday 2024-09-30 (week 4), had week 5 off, then Sunday 2024-10-13", () => {
    const r = rowsOf("2024_06_DET_DAL");
    expect(r.DET!.values.rest_days).toBe(13);
    expect(r.DET!.values.bye_before).toBe(1);
    expect(r.DET!.values.short_week).toBe(0);
  });

  it("London: 2024_07_NE_JAX at Wembley is neutral and international; both teams travel", () => {
    const r = rowsOf("2024_07_NE_JAX");
    const ne = r.NE!.values;
    const jax = r.JAX!.values;
    expect(r.JAX!.isHome).toBe(true);
    expect(ne.neutral_site).toBe(1);
    expect(ne.kickoff_intl).toBe(1);
    expect(ne.kickoff_sun_early).toBe(0);
    // NE came from Foxborough (week 6 vs HOU): ~3,270 great-circle miles, EDT→BST = 5 zones.
    expect(ne.travel_miles).toBeGreaterThan(3200);
    expect(ne.travel_miles).toBeLessThan(3350);
    expect(ne.tz_crossed).toBe(5);
    // JAX came from Tottenham (week 6 vs CHI in London): Tottenham → Wembley is about 10 miles.
    expect(jax.travel_miles).toBeGreaterThan(5);
    expect(jax.travel_miles).toBeLessThan(15);
    expect(jax.tz_crossed).toBe(0);
    // No home-field measure at a neutral site.
    expect(jax.venue_hfa_3y).toBeNull();
  });

  it("Elo update: ATL lost 14–17 at home to MIN in its 1999 opener", () => {
    // Both start at 1505. Home expectation with 48 points of home advantage:
    const expected = 1 / (1 + 10 ** (-48 / 400)); // 0.56864
    // MIN won by 3; the winner's Elo edge was -48, so the multiplier is ln(4) * 2.2 / (-0.048 + 2.2).
    const mult = Math.log(4) * (2.2 / (-48 * 0.001 + 2.2));
    const shift = 20 * mult * (0 - expected); // about -16.118
    const r = rowsOf("1999_02_ATL_DAL");
    expect(r.ATL!.values.elo_pre).toBeCloseTo(1505 + shift, 6);
    expect(shift).toBeCloseTo(-16.118, 3);
    const opener = rowsOf("1999_01_MIN_ATL");
    expect(opener.ATL!.values.elo_pre).toBe(1505);
    expect(opener.ATL!.values.elo_prob_home).toBeCloseTo(expected, 9);
  });

  it("QB change: ATL started Michael Penix Jr. in week 16 of 2024 after Kirk Cousins in week 15", () => {
    const r = rowsOf("2024_16_NYG_ATL");
    expect(r.ATL!.values.qb_changed).toBe(1);
    expect(r.ATL!.values.qb_prior_starts).toBe(0);
    const next = rowsOf("2024_17_ATL_WAS");
    expect(next.ATL!.values.qb_changed).toBe(0);
    expect(next.ATL!.values.qb_prior_starts).toBe(1);
    // Before T-80m the starter is not confirmed, so QB features are null.
    const early = rowsOf("2024_17_ATL_WAS", -100);
    expect(early.ATL!.values.qb_changed).toBeNull();
  });

  it("lines and weather appear only from T-60m; the spread keeps its home-positive sign", () => {
    const before = rowsOf("2024_07_NE_JAX", -75);
    const at = rowsOf("2024_07_NE_JAX", -60);
    expect(before.JAX!.values.spread_home).toBeNull();
    // games.csv: spread_line for 2024_07_NE_JAX is 6.5 (JAX, the home team, favoured).
    expect(at.JAX!.values.spread_home).toBe(6.5);
    expect(at.JAX!.values.ml_prob_home).toBeGreaterThan(0.5);
  });
});
