import { describe, expect, it } from "vitest";
import { resolveModelFeatures } from "../../src/cli/training-data.ts";
import { NflPredError } from "../../src/domain/index.ts";
import { defsForColumns, designColumns, findFeatureSet, MODEL_FEATURES } from "../../src/features/index.ts";

describe("model views", () => {
  it("every default view names features of its own set, without repeats", () => {
    for (const [set, names] of Object.entries(MODEL_FEATURES)) {
      const all = new Set(findFeatureSet(set)!.map((d) => d.name));
      expect(names.filter((n) => !all.has(n))).toEqual([]);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it("resolves the default view, an explicit list in its order, and names what is not in the set", () => {
    expect(resolveModelFeatures("mvp_v1").map((d) => d.name)).toEqual(MODEL_FEATURES.mvp_v1);
    expect(resolveModelFeatures("mvp_v1", ["rest_days", "elo_pre"]).map((d) => d.name)).toEqual([
      "rest_days",
      "elo_pre",
    ]);
    // spread_home exists only in market_v1
    const err = (() => {
      try {
        resolveModelFeatures("mvp_v1", ["elo_pre", "spread_home", "nope"]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(NflPredError);
    expect((err as Error).message).toMatch(
      /training\.model_features: spread_home, nope not in feature set mvp_v1/,
    );
    expect(() => resolveModelFeatures("nope_v9")).toThrow(/unknown feature set 'nope_v9'/);
  });

  it("maps a model's design columns back to definitions and reports the ones a set no longer has", () => {
    const defs = findFeatureSet("mvp_v1")!;
    const view = resolveModelFeatures("mvp_v1");
    const columns = designColumns(view);
    expect(columns).toContain("diff_power_rating");
    expect(columns).toContain("neutral_site");
    const back = defsForColumns(defs, columns);
    expect(back.missing).toEqual([]);
    expect(back.defs.map((d) => d.name)).toEqual(view.map((d) => d.name));
    expect(defsForColumns(defs, ["diff_power_rating", "diff_gone"]).missing).toEqual(["diff_gone"]);
  });
});
