import { NflPredError } from "../domain/index.ts";

export interface PsiOptions {
  readonly bins?: number;
  /** Smallest proportion used in the log ratio, so empty bins stay finite. */
  readonly floor?: number;
}

export interface PsiBin {
  /** e.g. "(-Inf, -1.28]", "(1.28, +Inf)" or "null" for missing values. */
  readonly label: string;
  readonly lower: number;
  readonly upper: number;
  readonly refCount: number;
  readonly curCount: number;
  readonly refProp: number;
  readonly curProp: number;
  readonly contribution: number;
}

export interface PsiResult {
  readonly psi: number;
  readonly bins: readonly PsiBin[];
}

const isMissing = (v: number | null | undefined): boolean => v === null || v === undefined || Number.isNaN(v);

/** Type-7 (linear interpolation) quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function formatEdge(v: number): string {
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  return String(Number(v.toPrecision(6)));
}

/**
 * Population stability index of `current` against `reference`: sum of (cur - ref) * ln(cur / ref) over
 * bins cut at reference quantiles (edges deduplicated, outer edges infinite; bins are (lower, upper]),
 * plus a separate bin for null/NaN. Proportions below `floor` are raised to it.
 * @example computePsi(lastSeasonElo, thisWeekElo).psi // > 0.25 usually means a real shift
 */
export function computePsi(
  reference: ArrayLike<number | null>,
  current: ArrayLike<number | null>,
  opts: PsiOptions = {},
): PsiResult {
  const nBins = opts.bins ?? 10;
  const floor = opts.floor ?? 1e-4;
  if (!Number.isInteger(nBins) || nBins < 1)
    throw new NflPredError("MODEL", `PSI bins must be >= 1: ${nBins}`);
  if (reference.length === 0 || current.length === 0) {
    throw new NflPredError("NO_DATA", "PSI needs non-empty reference and current samples");
  }
  const present: number[] = [];
  for (let i = 0; i < reference.length; i++) {
    const v = reference[i];
    if (!isMissing(v)) present.push(v as number);
  }
  const sorted = Float64Array.from(present).sort();
  const inner: number[] = [];
  if (sorted.length > 0) {
    for (let k = 1; k < nBins; k++) {
      const e = quantile(sorted, k / nBins);
      if (inner.length === 0 || e > inner[inner.length - 1]!) inner.push(e);
    }
  }
  const edges = [Number.NEGATIVE_INFINITY, ...inner, Number.POSITIVE_INFINITY];
  const valueBins = edges.length - 1;

  const count = (sample: ArrayLike<number | null>) => {
    const counts = new Array<number>(valueBins + 1).fill(0);
    for (let i = 0; i < sample.length; i++) {
      const v = sample[i];
      if (isMissing(v)) {
        counts[valueBins]!++;
        continue;
      }
      // First bin whose upper edge is >= v.
      let lo = 0;
      let hi = valueBins - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((v as number) <= edges[mid + 1]!) hi = mid;
        else lo = mid + 1;
      }
      counts[lo]!++;
    }
    return counts;
  };
  const ref = count(reference);
  const cur = count(current);

  let psi = 0;
  const bins = ref.map((refCount, k) => {
    const curCount = cur[k]!;
    const refProp = Math.max(refCount / reference.length, floor);
    const curProp = Math.max(curCount / current.length, floor);
    const contribution = (curProp - refProp) * Math.log(curProp / refProp);
    psi += contribution;
    const isNull = k === valueBins;
    const lower = isNull ? Number.NaN : edges[k]!;
    const upper = isNull ? Number.NaN : edges[k + 1]!;
    const close = upper === Number.POSITIVE_INFINITY ? ")" : "]";
    return {
      label: isNull ? "null" : `(${formatEdge(lower)}, ${formatEdge(upper)}${close}`,
      lower,
      upper,
      refCount,
      curCount,
      refProp,
      curProp,
      contribution,
    };
  });
  return { psi, bins };
}
