import { describe, expect, it } from "vitest";
import { designColumns, type FeatureRow, findFeatureSet, findModelFeatures } from "../features/index.ts";
import { createRng, marginLearner, matrixFromRows, serializeModel } from "../model/index.ts";
import { describeMissingInputs, describeReason, MIN_REASON_LOGIT, predictGames } from "./predict.ts";

const defs = findFeatureSet("mvp_v1")!;
const view = findModelFeatures("mvp_v1")!.defs;
const columns = designColumns(view);

/**
 * A margin model on the default view, fitted on synthetic games where power_rating drives the margin.
 * With `missingHomeEdge`, a fifth of the games lack qb_value_delta and are won at home by that many points.
 */
function model(cols: readonly string[], missingHomeEdge?: number) {
  const qb = cols.indexOf("diff_qb_value_delta");
  const rng = createRng(3);
  const rows: number[][] = [];
  const margins: number[] = [];
  for (let i = 0; i < 400; i++) {
    const row = cols.map(() => rng() - 0.5);
    const absent = missingHomeEdge !== undefined && i % 5 === 0;
    const m = (absent ? missingHomeEdge : 10 * row[0]!) + 13 * (rng() + rng() + rng() - 1.5);
    if (absent) row[qb] = Number.NaN;
    rows.push(row);
    margins.push(m);
  }
  const X = matrixFromRows(rows, cols);
  const y = Float64Array.from(margins, (m) => (m > 0 ? 1 : m < 0 ? 0 : 0.5));
  const fitted = marginLearner({ l2: 1 }).fit(X, y, { seed: 1, margins: Float64Array.from(margins) });
  return {
    modelId: "m1",
    featureSet: "mvp_v1",
    designColumns: cols,
    model: serializeModel(fitted),
    calibrator: { kind: "none", params: {} },
  };
}

function rowsFor(
  gameId: string,
  homePower: number,
  awayPower: number,
  nulls: readonly string[] = [],
): FeatureRow[] {
  const base = {
    season: 2025,
    week: 7,
    gameId,
    kickoff: 1_760_000_000_000,
    asOf: 1_759_996_400_000,
    label: null,
  };
  const values = (power: number) =>
    Object.fromEntries(defs.map((d) => [d.name, d.name === "power_rating" ? power : 0]));
  const home: Record<string, number | null> = values(homePower);
  for (const n of nulls) home[n] = null;
  return [
    { ...base, team: "H", opponent: "A", isHome: true, values: home },
    { ...base, team: "A", opponent: "H", isHome: false, values: values(awayPower) },
  ];
}

describe("predictGames with a model view", () => {
  it("scores a model trained on a subset of the set's columns from full feature rows", () => {
    const [strongHome] = predictGames(model(columns), defs, rowsFor("g1", 0.4, -0.4));
    const [strongAway] = predictGames(model(columns), defs, rowsFor("g2", -0.4, 0.4));
    expect(strongHome!.pHome).toBeGreaterThan(0.5);
    expect(strongAway!.pHome).toBeLessThan(0.5);
    expect(strongHome!.pHome + strongHome!.pAway).toBeCloseTo(1, 12);
    expect(strongHome!.reasons[0]!.feature).toBe("diff_power_rating");
    expect(Object.keys(strongHome!.contributions).every((c) => columns.includes(c))).toBe(true);
  });

  it("names as reasons only contributions of at least MIN_REASON_LOGIT, keeping every contribution", () => {
    const [even] = predictGames(model(columns), defs, rowsFor("g3", 0.0005, -0.0005));
    const tiny = Object.entries(even!.contributions).filter(([, v]) => Math.abs(v) < MIN_REASON_LOGIT);
    expect(tiny.length).toBeGreaterThan(0);
    expect(even!.reasons.map((r) => r.feature)).toEqual(
      Object.entries(even!.contributions)
        .filter(([, v]) => Math.abs(v) >= MIN_REASON_LOGIT)
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
        .slice(0, 3)
        .map(([f]) => f),
    );
    for (const r of even!.reasons) expect(Math.abs(r.logit)).toBeGreaterThanOrEqual(MIN_REASON_LOGIT);
  });

  it("refuses a model that needs a column the feature set no longer has, naming it", () => {
    const stale = model([...columns.slice(0, 2), "diff_retired_feature"]);
    expect(() => predictGames(stale, defs, rowsFor("g1", 0.4, -0.4))).toThrow(
      /uses diff_retired_feature, not in the current feature set mvp_v1/,
    );
  });

  it("flags inputs not known yet: per game, on the reasons built on them, and in one warning line", () => {
    const m = model(columns, 8);
    const [known, unknown] = [
      predictGames(m, defs, rowsFor("g4", 0.1, -0.1))[0]!,
      predictGames(m, defs, rowsFor("g5", 0.1, -0.1, ["qb_value_delta"]))[0]!,
    ];
    expect(known.missingInputs).toEqual([]);
    expect(known.reasons.some((r) => r.missing)).toBe(false);
    expect(unknown.missingInputs).toEqual(["diff_qb_value_delta"]);
    // Games without the QB value were home wins in training, so its absence itself moves the pick.
    const reason = unknown.reasons.find((r) => r.feature === "diff_qb_value_delta");
    expect(reason).toMatchObject({ missing: true });
    expect(reason!.logit).toBeGreaterThan(MIN_REASON_LOGIT);
    expect(unknown.reasons.filter((r) => r.missing).map((r) => r.feature)).toEqual(["diff_qb_value_delta"]);
    expect(describeReason(reason!, "H", "A")).toMatch(/^diff_qb_value_delta \(missing\) → H \(\+\d\.\d\d\)$/);
    expect(describeMissingInputs([known])).toBeUndefined();
    expect(describeMissingInputs([known, unknown])).toMatch(
      /^warning: model inputs had no value: diff_qb_value_delta in 1 of 2 games\. .*npx nfl-pred ingest --seasons 2025$/,
    );
  });

  it("does not report a null a feature defines (no rest days at a season opener) as missing", () => {
    const [opener] = predictGames(
      model(columns),
      defs,
      rowsFor("g6", 0.1, -0.1, ["rest_days", "venue_hfa_3y"]),
    );
    expect(opener!.missingInputs).toEqual([]);
    expect(opener!.reasons.some((r) => r.missing)).toBe(false);
    expect(describeMissingInputs([opener!])).toBeUndefined();
  });
});
