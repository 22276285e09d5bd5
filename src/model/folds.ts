import { NflPredError } from "../domain/index.ts";

export interface Fold {
  /** Row indices, ascending. Every train row's group is strictly smaller than every test row's group. */
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * Forward-chaining (expanding-window) folds over a time-order key such as a week index. The distinct
 * groups after the first `minTrainGroups` are cut into `nFolds` contiguous chunks; fold k tests on chunk k
 * and trains on every earlier group, so no row from a fold's future ever trains it. Rows need not be
 * sorted.
 * @example forwardChainingFolds(Int32Array.of(0, 0, 1, 1, 2, 2), 2, 1) // train weeks {0} / test {1}, then {0,1} / {2}
 */
export function forwardChainingFolds(groups: Int32Array, nFolds: number, minTrainGroups: number): Fold[] {
  if (!Number.isInteger(nFolds) || nFolds < 1) {
    throw new NflPredError("MODEL", `nFolds must be a positive integer, got ${nFolds}`);
  }
  if (!Number.isInteger(minTrainGroups) || minTrainGroups < 1) {
    throw new NflPredError("MODEL", `minTrainGroups must be a positive integer, got ${minTrainGroups}`);
  }
  const distinct = Int32Array.from(new Set(groups)).sort();
  const testable = distinct.length - minTrainGroups;
  if (testable < nFolds) {
    throw new NflPredError(
      "MODEL",
      `${distinct.length} groups cannot give ${nFolds} folds after ${minTrainGroups} training groups`,
      { hint: "use fewer folds or a smaller minTrainGroups" },
    );
  }
  const folds: Fold[] = [];
  for (let k = 0; k < nFolds; k++) {
    const first = distinct[minTrainGroups + Math.floor((k * testable) / nFolds)]!;
    const last = distinct[minTrainGroups + Math.floor(((k + 1) * testable) / nFolds) - 1]!;
    const train: number[] = [];
    const test: number[] = [];
    groups.forEach((g, i) => {
      if (g < first) train.push(i);
      else if (g <= last) test.push(i);
    });
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}
