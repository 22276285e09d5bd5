import { NflPredError } from "../domain/index.ts";
import { computePsi, type PsiBin } from "./psi.ts";

export interface FeatureDrift {
  readonly feature: string;
  readonly psi: number;
  readonly threshold: number;
  readonly breached: boolean;
  readonly referenceN: number;
  readonly currentN: number;
  /** Share of the reference rows where the feature is null. */
  readonly referenceNullShare: number;
  /** Share of the current rows where the feature is null. */
  readonly currentNullShare: number;
  readonly bins: readonly PsiBin[];
}

export interface DriftOptions {
  readonly threshold: number;
  readonly bins?: number;
  readonly floor?: number;
}

type ValueRow = { readonly values: Readonly<Record<string, number | null>> };

/**
 * PSI of every feature of the current rows against the reference rows, highest PSI first (ties by name).
 * @example computeFeatureDrift(["elo_pre"], lastSeasonRows, thisWeekRows, { threshold: 0.2 })[0].psi
 */
export function computeFeatureDrift(
  features: readonly string[],
  reference: readonly ValueRow[],
  current: readonly ValueRow[],
  opts: DriftOptions,
): FeatureDrift[] {
  if (reference.length === 0 || current.length === 0) {
    throw new NflPredError(
      "NO_DATA",
      `PSI needs reference and current feature rows (reference ${reference.length}, current ${current.length})`,
    );
  }
  const psiOpts = {
    ...(opts.bins === undefined ? {} : { bins: opts.bins }),
    ...(opts.floor === undefined ? {} : { floor: opts.floor }),
  };
  return features
    .map((feature) => {
      const ref = reference.map((r) => r.values[feature] ?? null);
      const cur = current.map((r) => r.values[feature] ?? null);
      const { psi, bins } = computePsi(ref, cur, psiOpts);
      const nullShare = (xs: readonly (number | null)[]) =>
        xs.filter((v) => v === null || Number.isNaN(v)).length / xs.length;
      return {
        feature,
        psi,
        threshold: opts.threshold,
        breached: psi >= opts.threshold,
        referenceN: ref.length,
        currentN: cur.length,
        referenceNullShare: nullShare(ref),
        currentNullShare: nullShare(cur),
        bins,
      };
    })
    .sort((a, b) => b.psi - a.psi || a.feature.localeCompare(b.feature));
}

/**
 * The features that are null in every current row but mostly present in the reference: their PSI says
 * the week's source data is missing (an ingest gap), not that the game drifted.
 */
export function vanishedFeatures(
  drift: readonly FeatureDrift[],
  maxReferenceNullShare = 0.5,
): FeatureDrift[] {
  return drift.filter((d) => d.currentNullShare === 1 && d.referenceNullShare <= maxReferenceNullShare);
}

/**
 * The PSI a week shows on average when nothing drifted: the exact expectation over the binomial counts of
 * `currentN` rows in `bins` equal-probability reference bins (empty bins floored as computePsi does), plus
 * about (bins - 1) / referenceN for the reference's own noise. With ~30 team rows and 10 bins it is about
 * 0.6, far above the 0.2 alert level: a single week's PSI is weak evidence on its own.
 * @example expectedNoisePsi(10, 700, 30) // ≈ 0.6
 */
export function expectedNoisePsi(bins: number, referenceN: number, currentN: number, floor = 1e-4): number {
  if (referenceN <= 0 || currentN <= 0 || bins < 1) return Number.NaN;
  const r = 1 / bins;
  let perBin = 0;
  let pmf = (1 - r) ** currentN;
  for (let j = 0; j <= currentN; j++) {
    const c = Math.max(j / currentN, floor);
    perBin += pmf * (c - r) * Math.log(c / r);
    pmf *= ((currentN - j) / (j + 1)) * (r / (1 - r));
  }
  return bins * perBin + (bins - 1) / referenceN;
}
