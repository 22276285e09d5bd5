import type { Fitted } from "./contract.ts";
import type { DesignCoefficient } from "./design.ts";
import type { MarginParams } from "./margin.ts";

const signed = (v: number, digits: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(digits)}`;

function coefficients(coef: readonly DesignCoefficient[], digits: number): string {
  return coef
    .map((c) => `${c.feature}${c.kind === "missing" ? " (missing)" : ""} ${signed(c.value, digits)}`)
    .join(", ");
}

/**
 * Human-readable lines describing a fitted linear model (margin or logistic) for the `train` output;
 * empty for models without a short summary (trees, stacks).
 */
export function summarizeModel(model: Fitted<unknown>): string[] {
  if (model.kind === "margin") {
    const p = model.params as MarginParams;
    return [
      `Margin model: predicted margin = ${p.intercept.toFixed(2)} pts + Σ coef × value (residual SD ${p.residualSd.toFixed(1)} pts); ` +
        `p_home = sigmoid(${p.linkIntercept.toFixed(3)} + ${p.linkSlope.toFixed(4)} × margin)`,
      `Points per unit: ${coefficients(p.coef, 3)}`,
    ];
  }
  if (model.kind === "logistic") {
    const p = model.params as { intercept: number; coef: readonly DesignCoefficient[] };
    return [
      `Logistic model: logit = ${p.intercept.toFixed(3)} + Σ coef × value`,
      `Logit per unit: ${coefficients(p.coef, 4)}`,
    ];
  }
  return [];
}
