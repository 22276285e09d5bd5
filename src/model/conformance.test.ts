import { describe, expect, it } from "vitest";
import { isNflPredError } from "../domain/index.ts";
import {
  buildOutOfFold,
  type Calibrator,
  chooseCalibrator,
  fitIsotonic,
  fitPlatt,
  forwardChainingFolds,
  gbmLearner,
  homeAwayProbabilities,
  identityCalibrator,
  isXgboostAvailable,
  type Learner,
  logisticLearner,
  type Matrix,
  marginLearner,
  matrixFromColumns,
  restoreCalibrator,
  restoreModel,
  selectColumns,
  serializeModel,
  stackLearner,
  xgboostLearner,
} from "./index.ts";

/** Independent of the module's own PRNG: mulberry32 plus Box-Muller. */
function rngFor(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

interface Dataset {
  readonly X: Matrix;
  readonly y: Float64Array;
  readonly groups: Int32Array;
  /** Home-minus-away points, consistent with y: positive for a win, negative for a loss, 0 for a tie. */
  readonly margins: Float64Array;
}

/** Margins on their own stream, so X and y are the same whether or not a learner reads margins. */
function marginsFor(seed: number, y: Float64Array): Float64Array {
  const r = rngFor(seed + 1_000_003);
  return Float64Array.from(y, (v) =>
    v === 0.5 ? 0 : (v === 1 ? 1 : -1) * (1 + Math.round(10 * Math.abs(r.normal()))),
  );
}

/** Three signal features, one noise feature, a constant, an all-NaN column, scattered NaN and some ties. */
function synthetic(seed: number, rows: number, rowsPerGroup = 16): Dataset {
  const r = rngFor(seed);
  const s1: number[] = [];
  const s2: (number | null)[] = [];
  const s3: number[] = [];
  const noise: (number | null)[] = [];
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = r.normal();
    const b = r.normal();
    const c = 2 * r.uniform() - 1;
    s1.push(a);
    s2.push(r.uniform() < 0.1 ? null : b);
    s3.push(c);
    noise.push(r.uniform() < 0.05 ? null : r.normal());
    const p = 1 / (1 + Math.exp(-(1.2 * a - 0.8 * b + 0.9 * c * Math.abs(c) + 0.2)));
    y[i] = r.uniform() < 0.03 ? 0.5 : r.uniform() < p ? 1 : 0;
  }
  const X = matrixFromColumns({
    s1,
    s2,
    constant: new Array(rows).fill(3.5),
    s3,
    all_missing: new Array(rows).fill(null),
    noise,
  });
  const groups = Int32Array.from({ length: rows }, (_, i) => Math.floor(i / rowsPerGroup));
  return { X, y, groups, margins: marginsFor(seed, y) };
}

const train = synthetic(11, 480);
const test = synthetic(12, 240);

const learners: readonly [string, () => Learner<unknown>][] = [
  ["logistic", () => logisticLearner()],
  ["gbm", () => gbmLearner({ nEstimators: 60, maxDepth: 3, subsample: 0.8 })],
  ["margin", () => marginLearner()],
  ["xgboost", () => xgboostLearner({ nEstimators: 60, maxDepth: 3, subsample: 0.8 })],
  [
    "stack",
    () =>
      stackLearner({
        learners: [logisticLearner(), gbmLearner({ nEstimators: 40, maxDepth: 2 })],
        nFolds: 3,
      }),
  ],
];

/**
 * Cases a learner is exempt from, each with its reason, e.g. { stack: { contributions: "why" } }.
 * Empty: every learner passes every case.
 */
const skipped: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

// XGBoost is a system library (.ci/run installs it); elsewhere its cases are skipped, saying why.
const XGBOOST_MISSING = isXgboostAvailable()
  ? undefined
  : "XGBoost's C library is not installed (apt-get install libxgboost0)";

const fitOn = (learner: Learner<unknown>, d: Dataset, seed = 5, weights?: Float64Array) =>
  learner.fit(
    d.X,
    d.y,
    weights === undefined
      ? { seed, groups: d.groups, margins: d.margins }
      : { seed, groups: d.groups, margins: d.margins, weights },
  );

function logLoss(p: Float64Array, y: Float64Array): number {
  let s = 0;
  p.forEach((q, i) => {
    s -= y[i]! * Math.log(q) + (1 - y[i]!) * Math.log(1 - q);
  });
  return s / p.length;
}

function withColumn(X: Matrix, name: string, value: number): Matrix {
  const j = X.names.indexOf(name);
  const data = Float64Array.from(X.data);
  for (let i = 0; i < X.rows; i++) data[i * X.cols + j] = value;
  return { ...X, data };
}

function expectIdentical(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  const differing = Array.from(a).filter((v, i) => !Object.is(v, b[i])).length;
  expect(differing).toBe(0);
}

describe.each(learners.filter(([name]) => name !== "xgboost" || XGBOOST_MISSING === undefined))(
  "learner conformance: %s",
  (name, make) => {
    const check = (id: string, title: string, fn: () => void) => {
      const reason = skipped[name]?.[id];
      if (reason === undefined) it(title, fn);
      else it.skip(`${title} (skipped: ${reason})`, fn);
    };
    const model = fitOn(make(), train);
    const p = model.predict(test.X);

    check("range", "gives finite probabilities in [0, 1]", () => {
      expect(model.kind).toBe(name);
      expect(p.length).toBe(test.X.rows);
      for (const v of p) expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
    });

    check("pair", "gives home and away probabilities that sum to one", () => {
      const { home, away } = homeAwayProbabilities(p);
      home.forEach((h, i) => {
        expect(Math.abs(h + away[i]! - 1)).toBeLessThanOrEqual(Number.EPSILON);
      });
      expectIdentical(home, p);
    });

    check("signal", "learns the signal: held-out log loss beats the base rate", () => {
      const rate = train.y.reduce((s, v) => s + v, 0) / train.y.length;
      expect(logLoss(p, test.y)).toBeLessThan(
        logLoss(new Float64Array(test.y.length).fill(rate), test.y) - 0.05,
      );
    });

    check("determinism", "is deterministic for a seed", () => {
      const again = fitOn(make(), train);
      expectIdentical(again.predict(test.X), p);
      expect(JSON.stringify(serializeModel(again))).toBe(JSON.stringify(serializeModel(model)));
    });

    check("json", "round-trips through JSON to identical probabilities", () => {
      const json = JSON.parse(JSON.stringify(serializeModel(model)));
      const restored = restoreModel(json.kind, json.features, json.params);
      expectIdentical(restored.predict(test.X), p);
      if (model.contributions !== undefined) {
        const a = model.contributions(test.X);
        const b = restored.contributions!(test.X);
        expectIdentical(b.base, a.base);
        expectIdentical(b.values, a.values);
      }
    });

    check("columns", "matches columns by name and rejects a missing one", () => {
      const shuffled = selectColumns({ ...test.X, names: test.X.names }, [
        "noise",
        "all_missing",
        "s3",
        "constant",
        "s2",
        "s1",
      ]);
      const extra = matrixFromColumns({
        unused: new Array(test.X.rows).fill(1),
        ...Object.fromEntries(
          shuffled.names.map((n, j) => [
            n,
            Array.from({ length: test.X.rows }, (_, i) => shuffled.data[i * shuffled.cols + j]!),
          ]),
        ),
      });
      expectIdentical(model.predict(shuffled), p);
      expectIdentical(model.predict(extra), p);
      const missing = selectColumns(test.X, ["s1", "s2", "constant", "s3", "all_missing"]);
      let error: unknown;
      try {
        model.predict(missing);
      } catch (e) {
        error = e;
      }
      expect(isNflPredError(error) && error.code === "MODEL" && error.column === "noise").toBe(true);
    });

    check("degenerate", "gives constant and all-missing training features no weight", () => {
      expectIdentical(model.predict(withColumn(withColumn(test.X, "constant", -40), "all_missing", 7)), p);
    });

    check("all-missing-row", "predicts finite probabilities when every value is missing", () => {
      const blank = matrixFromColumns(Object.fromEntries(test.X.names.map((n) => [n, [null, null]])));
      for (const v of model.predict(blank)) expect(v >= 0 && v <= 1).toBe(true);
    });

    check("ties", "trains on tie labels as soft labels", () => {
      const ties = {
        ...train,
        y: new Float64Array(train.y.length).fill(0.5),
        margins: new Float64Array(train.y.length),
      };
      for (const v of fitOn(make(), ties).predict(test.X)) expect(Math.abs(v - 0.5)).toBeLessThan(0.02);
    });

    check("weights", "ignores the labels of zero-weight rows", () => {
      const weights = Float64Array.from(train.y, (_, i) => (i % 7 === 3 ? 0 : 1 + (i % 3)));
      const flipped = {
        ...train,
        y: Float64Array.from(train.y, (v, i) => (i % 7 === 3 ? 1 - v : v)),
        margins: Float64Array.from(train.margins, (v, i) => (i % 7 === 3 ? -v : v)),
      };
      const a = fitOn(make(), train, 5, weights).predict(test.X);
      expectIdentical(fitOn(make(), flipped, 5, weights).predict(test.X), a);
      expect(a.some((v, i) => v !== p[i])).toBe(true);
    });

    check("contributions", "has additive contributions in logit space", () => {
      if (model.contributions === undefined)
        throw new Error(`${name} has no contributions and no skip reason`);
      const { base, values } = model.contributions(test.X);
      const cols = model.features.length;
      for (let i = 0; i < test.X.rows; i++) {
        let s = base[i]!;
        for (let j = 0; j < cols; j++) s += values[i * cols + j]!;
        expect(Math.abs(s - Math.log(p[i]! / (1 - p[i]!)))).toBeLessThan(1e-9);
        expect(values[i * cols + model.features.indexOf("constant")]).toBe(0);
        expect(values[i * cols + model.features.indexOf("all_missing")]).toBe(0);
      }
    });

    check("look-ahead", "has no look-ahead in out-of-fold predictions", () => {
      // Rewrite labels and features from group 18 on: folds testing earlier groups must not notice.
      const cut = 18;
      const future = (i: number) => train.groups[i]! >= cut;
      const data = Float64Array.from(train.X.data, (v, k) => (future(Math.floor(k / train.X.cols)) ? -v : v));
      const changed: Dataset = {
        X: { ...train.X, data },
        y: Float64Array.from(train.y, (v, i) => (future(i) ? 1 - v : v)),
        groups: train.groups,
        margins: Float64Array.from(train.margins, (v, i) => (future(i) ? -v : v)),
      };
      const run = (d: Dataset) =>
        buildOutOfFold([make()], d.X, d.y, { seed: 3, groups: d.groups, margins: d.margins }, 4, 10);
      const before = run(train);
      const after = run(changed);
      const folds = forwardChainingFolds(train.groups, 4, 10);
      let compared = 0;
      for (const fold of folds) {
        const past = train.groups[fold.test[fold.test.length - 1]!]! < cut;
        const a = Array.from(fold.test, (i) => before.predictions[0]![i]!);
        const b = Array.from(fold.test, (i) => after.predictions[0]![i]!);
        if (past) {
          expect(b).toEqual(a);
          compared += a.length;
        } else {
          expect(b).not.toEqual(a);
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  },
);

if (XGBOOST_MISSING !== undefined) {
  describe("learner conformance: xgboost", () => {
    it.skip(`every case (skipped: ${XGBOOST_MISSING})`, () => undefined);
  });
}

describe("forwardChainingFolds", () => {
  it("never trains a fold on its own or later groups (random unsorted groups)", () => {
    const r = rngFor(99);
    for (let trial = 0; trial < 50; trial++) {
      const rows = 20 + Math.floor(r.uniform() * 200);
      const groups = Int32Array.from({ length: rows }, () => Math.floor(r.uniform() * 40) - 10);
      const distinct = new Set(groups).size;
      const nFolds = 1 + Math.floor(r.uniform() * 5);
      const minTrain = 1 + Math.floor(r.uniform() * Math.max(1, distinct - nFolds));
      if (distinct - minTrain < nFolds) continue;
      const folds = forwardChainingFolds(groups, nFolds, minTrain);
      expect(folds.length).toBe(nFolds);
      const tested = new Set<number>();
      for (const { train: tr, test: te } of folds) {
        expect(tr.length).toBeGreaterThan(0);
        expect(te.length).toBeGreaterThan(0);
        const maxTrain = Math.max(...Array.from(tr, (i) => groups[i]!));
        const minTest = Math.min(...Array.from(te, (i) => groups[i]!));
        expect(maxTrain).toBeLessThan(minTest);
        // Expanding window: every row before the test block trains.
        expect(tr.length).toBe(groups.filter((g) => g < minTest).length);
        for (const i of te) {
          expect(tested.has(i)).toBe(false);
          tested.add(i);
        }
      }
      const sorted = [...new Set(groups)].sort((a, b) => a - b);
      expect(tested.size).toBe(groups.filter((g) => g >= sorted[minTrain]!).length);
    }
  });

  it("rejects more folds than testable groups", () => {
    expect(() => forwardChainingFolds(Int32Array.of(1, 2, 3), 3, 1)).toThrow(/cannot give 3 folds/);
  });
});

describe("calibrator conformance", () => {
  // Overconfident held-out probabilities: logit stretched by 1.8.
  const model = logisticLearner().fit(train.X, train.y, { seed: 1 });
  const raw = model.predict(test.X).map((q) => 1 / (1 + Math.exp(-1.8 * Math.log(q / (1 - q)))));
  const fitters: readonly [string, (p: Float64Array, y: Float64Array) => Calibrator][] = [
    ["none", () => identityCalibrator()],
    ["platt", (p, y) => fitPlatt(p, y)],
    ["isotonic", (p, y) => fitIsotonic(p, y)],
    ["chosen", (p, y) => chooseCalibrator(p, y).calibrator],
  ];
  const grid = Float64Array.from({ length: 201 }, (_, i) => i / 200);

  describe.each(fitters)("%s", (_name, calibrate) => {
    const c = calibrate(raw, test.y);

    it("maps probabilities to finite, non-decreasing probabilities (0 and 1 included)", () => {
      const out = c.apply(grid);
      out.forEach((v, i) => {
        expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
        if (i > 0) expect(v).toBeGreaterThanOrEqual(out[i - 1]!);
      });
    });

    it("is deterministic and round-trips through JSON exactly", () => {
      expectIdentical(calibrate(raw, test.y).apply(grid), c.apply(grid));
      const json = JSON.parse(JSON.stringify({ kind: c.kind, params: c.params }));
      expectIdentical(restoreCalibrator(json.kind, json.params).apply(grid), c.apply(grid));
    });

    it("survives constant inputs and one-sided labels", () => {
      for (const [p, y] of [
        [new Float64Array(20).fill(0.6), Float64Array.from({ length: 20 }, (_, i) => i % 2)],
        [Float64Array.from({ length: 20 }, (_, i) => i / 19), new Float64Array(20).fill(1)],
      ] as const) {
        for (const v of calibrate(p, y).apply(grid))
          expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
      }
    });
  });

  it("chooseCalibrator reports all three losses and picks the lowest", () => {
    const { calibrator, losses } = chooseCalibrator(raw, test.y);
    expect(Object.keys(losses).sort()).toEqual(["isotonic", "none", "platt"]);
    expect(losses[calibrator.kind]).toBe(Math.min(losses.none, losses.platt, losses.isotonic));
    expect(calibrator.kind).not.toBe("none");
  });
});
