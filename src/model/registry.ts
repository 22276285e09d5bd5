import { NflPredError } from "../domain/index.ts";
import type { Fitted, SerializedModel } from "./contract.ts";
import { type GbmParams, gbmFromParams } from "./gbm.ts";
import { type LogisticParams, logisticFromParams } from "./logistic.ts";
import { type MarginParams, marginFromParams } from "./margin.ts";
import { type StackParams, stackFromParams } from "./stack.ts";
import { type XgboostParams, xgboostFromParams } from "./xgboost.ts";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Rebuilds a fitted model from its JSON form; predictions are bit-for-bit those of the original.
 * @example const m2 = restoreModel(json.kind, json.features, json.params)
 */
export function restoreModel(kind: string, features: readonly string[], params: unknown): Fitted<unknown> {
  if (!Array.isArray(features) || !features.every((f) => typeof f === "string")) {
    throw new NflPredError("MODEL", `model '${kind}' has no valid feature list`);
  }
  const need = (...keys: string[]) => {
    if (!isRecord(params) || !keys.every((k) => k in params)) {
      throw new NflPredError("MODEL", `params of model '${kind}' lack ${keys.join(", ")}`);
    }
  };
  switch (kind) {
    case "logistic":
      need("medians", "columns", "interceptStd", "coefStd");
      return logisticFromParams(features, params as LogisticParams);
    case "gbm":
      need("baseScore", "trees");
      return gbmFromParams(features, params as GbmParams);
    case "xgboost":
      need("baseScore", "trees");
      return xgboostFromParams(features, params as XgboostParams);
    case "stack":
      need("base", "meta");
      return stackFromParams(features, params as StackParams, restoreModel);
    case "margin":
      need("medians", "columns", "interceptStd", "coefStd", "linkIntercept", "linkSlope");
      return marginFromParams(features, params as MarginParams);
    default:
      throw new NflPredError("MODEL", `unknown model kind '${kind}'`, { value: kind });
  }
}

/** The JSON form of a fitted model, for `JSON.stringify` and later `restoreModel`. */
export function serializeModel(model: Fitted<unknown>): SerializedModel {
  return { kind: model.kind, features: model.features, params: model.params };
}
