/**
 * A team's past games as prefix sums, queried "as of" an instant: only entries visible by then count.
 * Binary search keeps a full-history backfill linear-logarithmic.
 */
export interface SeriesEntry {
  readonly visibleAt: number;
  readonly season: number;
  /** Values by field; NaN = absent for this game. */
  readonly values: Float64Array;
}

export class Series {
  private readonly visible: Float64Array;
  private readonly seasons: Int32Array;
  /** prefix[i * width + f] = sum of field f over entries [0, i); absent values add 0. */
  private readonly prefix: Float64Array;
  /** Same shape: count of entries where field f is present. */
  private readonly present: Float64Array;

  constructor(
    entries: readonly SeriesEntry[],
    readonly width: number,
  ) {
    const sorted = [...entries].sort((a, b) => a.visibleAt - b.visibleAt);
    const n = sorted.length;
    this.visible = new Float64Array(n);
    this.seasons = new Int32Array(n);
    this.prefix = new Float64Array((n + 1) * width);
    this.present = new Float64Array((n + 1) * width);
    for (let i = 0; i < n; i++) {
      const e = sorted[i]!;
      this.visible[i] = e.visibleAt;
      this.seasons[i] = e.season;
      for (let f = 0; f < width; f++) {
        const v = e.values[f] ?? Number.NaN;
        const ok = !Number.isNaN(v);
        this.prefix[(i + 1) * width + f] = this.prefix[i * width + f]! + (ok ? v : 0);
        this.present[(i + 1) * width + f] = this.present[i * width + f]! + (ok ? 1 : 0);
      }
    }
  }

  /** Number of entries visible at `asOf`. */
  countVisible(asOf: number): number {
    return countVisible(this.visible, asOf, (t) => t);
  }

  seasonAt(i: number): number {
    return this.seasons[i]!;
  }

  /** First index of the run of entries of `season` that ends before `end` (entries are in time order). */
  seasonStart(end: number, season: number): number {
    let i = end;
    while (i > 0 && this.seasons[i - 1] === season) i--;
    return i;
  }

  /** Sum and present-count of a field over entries [from, to). */
  sum(field: number, from: number, to: number): { sum: number; n: number } {
    const w = this.width;
    return {
      sum: this.prefix[to * w + field]! - this.prefix[from * w + field]!,
      n: this.present[to * w + field]! - this.present[from * w + field]!,
    };
  }
}

/** How many items of a list sorted by visibility instant are visible at `asOf` (binary search). */
export function countVisible<T>(list: ArrayLike<T>, asOf: number, visibleAt: (item: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (visibleAt(list[mid]!) <= asOf) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
