import { createRequire } from "node:module";
import { NflPredError } from "../domain/index.ts";
import type { FitOptions, Fitted, Learner } from "./contract.ts";
import {
  GBM_DEFAULTS,
  type GbmOptions,
  type GbmSettings,
  treeEnsembleFromParams,
  validateGbmSettings,
} from "./gbm.ts";
import type { Matrix } from "./matrix.ts";
import { checkTrainingInputs, logit } from "./numeric.ts";
import type { TreeArrays } from "./treeshap.ts";

/**
 * XGBoost (the C library, through an FFI) trains the trees; they are then read out of its JSON model
 * into our own tree arrays. So prediction, TreeSHAP and artifacts work without the library, in double
 * precision, and take exactly the branches XGBoost itself takes (see `leftThreshold`).
 */
export interface XgboostOptions extends GbmOptions {
  /** Shared library to load; by default the usual names on Linux and macOS. */
  readonly library?: string;
}

export interface XgboostParams {
  readonly settings: GbmSettings;
  /** The XGBoost version that trained the trees, e.g. "1.7.4". */
  readonly xgboost: string;
  readonly baseScore: number;
  readonly trees: readonly TreeArrays[];
}

const LIBRARY_NAMES = ["libxgboost.so.0", "libxgboost.so", "libxgboost.dylib"];
const INSTALL_HINT =
  "install XGBoost's C library (Debian/Ubuntu: apt-get install libxgboost0; macOS: brew install xgboost), " +
  "or train with --model gbm, the built-in boosted trees";

type Handle = unknown;
export interface Native {
  readonly version: string;
  lastError(): string;
  createMatrix(data: Float32Array, rows: number, cols: number, missing: number, out: [Handle]): number;
  setFloatInfo(m: Handle, field: string, values: Float32Array, n: number): number;
  freeMatrix(m: Handle): number;
  createBooster(matrices: Handle[], n: number, out: [Handle]): number;
  setParam(b: Handle, name: string, value: string): number;
  updateOneIter(b: Handle, iter: number, m: Handle): number;
  saveToBuffer(b: Handle, config: string, len: [number | bigint], out: [Handle]): number;
  predict(
    b: Handle,
    m: Handle,
    mask: number,
    limit: number,
    training: number,
    len: [number | bigint],
    out: [Handle],
  ): number;
  freeBooster(b: Handle): number;
  decodeChars(p: Handle, n: number): string;
  decodeFloats(p: Handle, n: number): Float32Array;
}

const loaded = new Map<string, Native>();
let handleDeclared = false;

/**
 * Binds the XGBoost C API, once per library path. Throws MODEL with the install command when the
 * library (or the FFI package) cannot be loaded.
 */
export function loadXgboost(library?: string): Native {
  const key = library ?? "";
  const cached = loaded.get(key);
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let koffi: typeof import("koffi");
  try {
    koffi = require("koffi") as typeof import("koffi");
  } catch (e) {
    throw new NflPredError("MODEL", "the FFI package koffi is not installed", {
      hint: "run npm ci",
      cause: e,
    });
  }
  let lib: import("koffi").LibraryHandle | undefined;
  const tried: string[] = [];
  for (const name of library === undefined ? LIBRARY_NAMES : [library]) {
    try {
      lib = koffi.load(name);
      break;
    } catch (e) {
      tried.push(`${name}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  if (!lib) {
    throw new NflPredError("MODEL", `cannot load the XGBoost library (${tried.join("; ")})`, {
      value: library ?? LIBRARY_NAMES.join(", "),
      hint: INSTALL_HINT,
    });
  }
  // XGBoost's handles are opaque pointers; koffi registers a type name once per process.
  if (!handleDeclared) {
    koffi.pointer("XgbHandle", koffi.opaque());
    handleDeclared = true;
  }
  const fn = (signature: string) => lib.func(signature);
  const version = fn("void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)");
  const v: [number][] = [[0], [0], [0]];
  version(...v);
  const native: Native = {
    version: v.map((x) => x[0]).join("."),
    lastError: fn("const char *XGBGetLastError()"),
    createMatrix: fn(
      "int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ XgbHandle *out)",
    ),
    setFloatInfo: fn(
      "int XGDMatrixSetFloatInfo(XgbHandle m, const char *field, const float *values, uint64_t n)",
    ),
    freeMatrix: fn("int XGDMatrixFree(XgbHandle m)"),
    createBooster: fn("int XGBoosterCreate(XgbHandle *matrices, uint64_t n, _Out_ XgbHandle *out)"),
    setParam: fn("int XGBoosterSetParam(XgbHandle b, const char *name, const char *value)"),
    updateOneIter: fn("int XGBoosterUpdateOneIter(XgbHandle b, int iter, XgbHandle m)"),
    saveToBuffer: fn(
      "int XGBoosterSaveModelToBuffer(XgbHandle b, const char *config, _Out_ uint64_t *len, _Out_ void **out)",
    ),
    predict: fn(
      "int XGBoosterPredict(XgbHandle b, XgbHandle m, int mask, uint32_t limit, int training, _Out_ uint64_t *len, _Out_ void **out)",
    ),
    freeBooster: fn("int XGBoosterFree(XgbHandle b)"),
    decodeChars: (p, n) => koffi.decode(p, "char", n) as string,
    decodeFloats: (p, n) => Float32Array.from(koffi.decode(p, "float", n) as number[]),
  };
  loaded.set(key, native);
  return native;
}

/** Whether XGBoost can be loaded here (tests of it are skipped, with the reason, where it cannot). */
export function isXgboostAvailable(library?: string): boolean {
  try {
    loadXgboost(library);
    return true;
  } catch {
    return false;
  }
}

/** A trained booster; `free` must be called. Exposed for the cross-check against XGBoost's own predictions. */
export interface Booster {
  readonly json: string;
  /**
   * XGBoost's own prediction for float32 copies of `data`'s rows, row-major: probabilities (mask 0), the
   * leaf index per (row, tree) (mask 2), or its TreeSHAP contributions on the logit scale, one per column
   * and then the bias (mask 4).
   */
  predict(data: Float64Array, rows: number, cols: number, mask: 0 | 2 | 4): Float32Array;
  free(): void;
}

/** Trains `rounds` trees with XGBoost on the rows of X (NaN is missing). */
export function trainBooster(
  native: Native,
  X: Matrix,
  y: Float64Array,
  weights: Float64Array | undefined,
  params: Readonly<Record<string, string>>,
  rounds: number,
): Booster {
  const ok = (rc: number, what: string) => {
    if (rc !== 0) throw new NflPredError("MODEL", `XGBoost ${what} failed: ${native.lastError()}`);
  };
  const matrix = (data: Float64Array, rows: number, cols: number) => {
    const out: [Handle] = [null];
    ok(native.createMatrix(Float32Array.from(data), rows, cols, Number.NaN, out), "DMatrix");
    return out[0];
  };
  const train = matrix(X.data, X.rows, X.cols);
  const booster: [Handle] = [null];
  try {
    ok(native.setFloatInfo(train, "label", Float32Array.from(y), X.rows), "labels");
    if (weights) ok(native.setFloatInfo(train, "weight", Float32Array.from(weights), X.rows), "weights");
    ok(native.createBooster([train], 1, booster), "booster");
    for (const [k, v] of Object.entries(params)) ok(native.setParam(booster[0], k, v), `parameter ${k}=${v}`);
    for (let i = 0; i < rounds; i++) ok(native.updateOneIter(booster[0], i, train), `round ${i + 1}`);
    const len: [number | bigint] = [0];
    const out: [Handle] = [null];
    ok(native.saveToBuffer(booster[0], '{"format":"json"}', len, out), "model export");
    const json = native.decodeChars(out[0], Number(len[0]));
    const b = booster[0];
    return {
      json,
      predict(data, rows, cols, mask) {
        const m = matrix(data, rows, cols);
        try {
          const n: [number | bigint] = [0];
          const p: [Handle] = [null];
          ok(native.predict(b, m, mask, 0, 0, n, p), "prediction");
          return native.decodeFloats(p[0], Number(n[0]));
        } finally {
          native.freeMatrix(m);
        }
      },
      free: () => native.freeBooster(b),
    };
  } catch (e) {
    if (booster[0] !== null) native.freeBooster(booster[0]);
    throw e;
  } finally {
    native.freeMatrix(train);
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The float32 just below `t` (a float32 value). */
function float32Below(t: number): { value: number; even: boolean } {
  f32[0] = t;
  if (t === 0) u32[0] = 0x80000001;
  else if (t > 0) u32[0]! -= 1;
  else u32[0]! += 1;
  return { value: f32[0]!, even: (u32[0]! & 1) === 0 };
}

function doubleBelow(x: number): number {
  f64[0] = x;
  if (x === 0) u64[0] = 0x8000000000000001n;
  else if (x > 0) u64[0]! -= 1n;
  else u64[0]! += 1n;
  return f64[0]!;
}

/**
 * XGBoost sends a row left when float32(x) < t. Our trees send it left when x <= threshold, in double.
 * float32(x) < t exactly when x rounds to the float32 below t or lower: x below the midpoint m of the two,
 * or x = m when round-half-to-even picks the lower one. m is exact in double.
 */
export function leftThreshold(t: number): number {
  const below = float32Below(t);
  const m = (below.value + t) / 2;
  return below.even ? m : doubleBelow(m);
}

interface XgbTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: number[];
  sum_hessian: number[];
  split_type?: number[];
}

/** XGBoost's JSON model to our trees and base logit. */
export function readXgboostModel(json: string): { baseScore: number; trees: TreeArrays[] } {
  let model: {
    learner: {
      learner_model_param: { base_score: string };
      gradient_booster: { model: { trees: XgbTree[] } };
    };
  };
  try {
    model = JSON.parse(json);
  } catch (e) {
    throw new NflPredError("MODEL", "XGBoost exported a model that is not JSON", { cause: e });
  }
  const trees = model.learner.gradient_booster.model.trees.map((t, k) => {
    if (t.split_type?.some((s) => s !== 0)) {
      throw new NflPredError(
        "MODEL",
        `XGBoost tree ${k} has a categorical split; only numeric ones are read`,
      );
    }
    const leaf = (i: number) => t.left_children[i] === -1;
    return {
      feature: t.split_indices.map((f, i) => (leaf(i) ? -1 : f)),
      threshold: t.split_conditions.map((c, i) => (leaf(i) ? 0 : leftThreshold(Math.fround(c)))),
      left: t.left_children,
      right: t.right_children,
      missingLeft: t.default_left.map((d) => (d ? 1 : 0)),
      value: t.split_conditions.map((c, i) => (leaf(i) ? Math.fround(c) : 0)),
      cover: t.sum_hessian,
    };
  });
  // Newer versions write the base score as a one-element list, "[5E-1]".
  const base = Number.parseFloat(model.learner.learner_model_param.base_score.replace(/^\[|\]$/g, ""));
  if (!(base > 0 && base < 1)) {
    throw new NflPredError(
      "MODEL",
      `XGBoost's base score '${model.learner.learner_model_param.base_score}' is not a probability`,
    );
  }
  return { baseScore: logit(base), trees };
}

/**
 * Gradient-boosted trees trained by XGBoost (`hist`, one thread, so a seed gives the same trees), with the
 * same knobs and defaults as the built-in `gbm`.
 * @example xgboostLearner({ nEstimators: 200, maxDepth: 3 }).fit(X, y, { seed: 7 }).predict(X)
 */
export function xgboostLearner(options: XgboostOptions = {}): Learner<XgboostParams> {
  const { library, ...knobs } = options;
  const settings = validateGbmSettings({ ...GBM_DEFAULTS, ...knobs }, "xgboost");
  return {
    kind: "xgboost",
    fit(X: Matrix, y: Float64Array, opts: FitOptions): Fitted<XgboostParams> {
      checkTrainingInputs(X, y, opts.weights);
      const native = loadXgboost(library);
      const booster = trainBooster(
        native,
        X,
        y,
        opts.weights,
        {
          objective: "binary:logistic",
          base_score: "0.5",
          tree_method: "hist",
          nthread: "1",
          seed: String(opts.seed),
          eta: String(settings.learningRate),
          max_depth: String(settings.maxDepth),
          max_bin: String(settings.maxBins),
          min_child_weight: String(settings.minChildWeight),
          lambda: String(settings.lambda),
          gamma: String(settings.minSplitGain),
          subsample: String(settings.subsample),
          verbosity: "0",
        },
        settings.nEstimators,
      );
      try {
        const { baseScore, trees } = readXgboostModel(booster.json);
        return xgboostFromParams(X.names, { settings, xgboost: native.version, baseScore, trees });
      } finally {
        booster.free();
      }
    },
  };
}

/** Rebuilds a fitted XGBoost model from its JSON params; needs no XGBoost library. */
export function xgboostFromParams(features: readonly string[], params: XgboostParams): Fitted<XgboostParams> {
  return treeEnsembleFromParams("xgboost", features, params);
}
