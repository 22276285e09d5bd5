import { describe, expect, it } from "vitest";
import { gbmLearner } from "./gbm.ts";
import { logisticLearner } from "./logistic.ts";
import { marginLearner } from "./margin.ts";
import { matrixFromRows } from "./matrix.ts";
import { summarizeModel } from "./summary.ts";

// margin = 1 + 2·x exactly (no noise), x missing in one row.
const xs = [-3, -2, -1, 0, 1, 2, 3, 4];
const X = matrixFromRows([...xs.map((x) => [x]), [Number.NaN]], ["diff_x"]);
const margins = Float64Array.from([...xs.map((x) => 1 + 2 * x), 1.5]);
const y = Float64Array.from(margins, (m) => (m > 0 ? 1 : 0));

describe("summarizeModel", () => {
  it("states a margin model's intercept, link and points per unit, missing indicators named", () => {
    const m = marginLearner({ l2: 0 }).fit(X, y, { seed: 1, margins });
    const [head, coef] = summarizeModel(m);
    expect(head).toMatch(/^Margin model: predicted margin = 1\.00 pts/);
    expect(head).toMatch(/p_home = sigmoid\(/);
    expect(coef).toMatch(/^Points per unit: diff_x \+2\.000, diff_x \(missing\) [+−]\d/);
  });

  it("states a logistic model's coefficients and says nothing for trees", () => {
    const lines = summarizeModel(logisticLearner({ l2: 1 }).fit(X, y, { seed: 1 }));
    expect(lines[1]).toMatch(/^Logit per unit: diff_x \+\d/);
    expect(summarizeModel(gbmLearner({ nEstimators: 3, maxDepth: 1 }).fit(X, y, { seed: 1 }))).toEqual([]);
  });
});
