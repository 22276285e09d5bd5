/** One regression tree in flat arrays; a leaf has feature -1. Cover is the training hessian mass. */
export interface TreeArrays {
  readonly feature: readonly number[];
  readonly threshold: readonly number[];
  readonly left: readonly number[];
  readonly right: readonly number[];
  /** 1 when NaN goes left at this split, 0 when it goes right. */
  readonly missingLeft: readonly number[];
  readonly value: readonly number[];
  readonly cover: readonly number[];
}

/** The child a row goes to at an internal node: x <= threshold goes left, NaN follows the learned default. */
export function nextNode(tree: TreeArrays, node: number, x: number): number {
  if (Number.isNaN(x)) return tree.missingLeft[node] === 1 ? tree.left[node]! : tree.right[node]!;
  return x <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
}

/** The tree's output for row `row` of row-major `data` with `cols` columns. */
export function treeOutput(tree: TreeArrays, data: Float64Array, row: number, cols: number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) node = nextNode(tree, node, data[row * cols + tree.feature[node]!]!);
  return tree.value[node]!;
}

/** Cover-weighted mean output: the value path-dependent TreeSHAP attributes differences against. */
export function treeExpectation(tree: TreeArrays, node = 0): number {
  if (tree.feature[node]! < 0) return tree.value[node]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  const c = tree.cover[node]!;
  return (tree.cover[l]! / c) * treeExpectation(tree, l) + (tree.cover[r]! / c) * treeExpectation(tree, r);
}

/** Depth of the deepest leaf (a lone leaf has depth 0). */
export function treeDepth(tree: TreeArrays, node = 0): number {
  if (tree.feature[node]! < 0) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

/**
 * Working memory for TreeSHAP on trees up to `depth` deep. The unique path of every recursion level
 * lives in one slab, level d starting right after level d-1, so nothing is allocated per row.
 */
export interface ShapScratch {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
}

export function createShapScratch(depth: number): ShapScratch {
  const size = ((depth + 3) * (depth + 4)) / 2;
  return {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
}

function extendPath(s: ShapScratch, at: number, d: number, zero: number, one: number, feature: number): void {
  const w = s.weight;
  s.feature[at + d] = feature;
  s.zero[at + d] = zero;
  s.one[at + d] = one;
  w[at + d] = d === 0 ? 1 : 0;
  for (let i = d - 1; i >= 0; i--) {
    w[at + i + 1]! += (one * w[at + i]! * (i + 1)) / (d + 1);
    w[at + i] = (zero * w[at + i]! * (d - i)) / (d + 1);
  }
}

function unwindPath(s: ShapScratch, at: number, d: number, k: number): void {
  const w = s.weight;
  const one = s.one[at + k]!;
  const zero = s.zero[at + k]!;
  let next = w[at + d]!;
  for (let i = d - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = w[at + i]!;
      w[at + i] = (next * (d + 1)) / ((i + 1) * one);
      next = tmp - (w[at + i]! * zero * (d - i)) / (d + 1);
    } else {
      w[at + i] = (w[at + i]! * (d + 1)) / (zero * (d - i));
    }
  }
  for (let i = k; i < d; i++) {
    s.feature[at + i] = s.feature[at + i + 1]!;
    s.zero[at + i] = s.zero[at + i + 1]!;
    s.one[at + i] = s.one[at + i + 1]!;
  }
}

function unwoundPathSum(s: ShapScratch, at: number, d: number, k: number): number {
  const w = s.weight;
  const one = s.one[at + k]!;
  const zero = s.zero[at + k]!;
  let next = w[at + d]!;
  let total = 0;
  for (let i = d - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (d + 1)) / ((i + 1) * one);
      total += tmp;
      next = w[at + i]! - tmp * zero * ((d - i) / (d + 1));
    } else {
      total += w[at + i]! / zero / ((d - i) / (d + 1));
    }
  }
  return total;
}

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2) for one tree and one row of
 * row-major `data`: adds each feature's Shapley value to `phi[phiOffset + feature]`. Summed over features
 * the additions equal treeOutput - treeExpectation.
 */
export function addTreeShap(
  tree: TreeArrays,
  data: Float64Array,
  row: number,
  cols: number,
  phi: Float64Array,
  phiOffset: number,
  s: ShapScratch,
): void {
  const recurse = (node: number, parentAt: number, d: number, zero: number, one: number, feature: number) => {
    const at = parentAt + d + 1;
    for (let i = 0; i <= d; i++) {
      s.feature[at + i] = s.feature[parentAt + i]!;
      s.zero[at + i] = s.zero[parentAt + i]!;
      s.one[at + i] = s.one[parentAt + i]!;
      s.weight[at + i] = s.weight[parentAt + i]!;
    }
    extendPath(s, at, d, zero, one, feature);
    const f = tree.feature[node]!;
    if (f < 0) {
      const v = tree.value[node]!;
      for (let i = 1; i <= d; i++) {
        phi[phiOffset + s.feature[at + i]!]! +=
          unwoundPathSum(s, at, d, i) * (s.one[at + i]! - s.zero[at + i]!) * v;
      }
      return;
    }
    const hot = nextNode(tree, node, data[row * cols + f]!);
    const cold = hot === tree.left[node] ? tree.right[node]! : tree.left[node]!;
    const c = tree.cover[node]!;
    let inZero = 1;
    let inOne = 1;
    let depth = d;
    let k = 0;
    while (k <= d && s.feature[at + k] !== f) k++;
    if (k <= d) {
      // The feature was split on higher up this path: undo that entry and fold its fractions in.
      inZero = s.zero[at + k]!;
      inOne = s.one[at + k]!;
      unwindPath(s, at, d, k);
      depth -= 1;
    }
    recurse(hot, at, depth + 1, (tree.cover[hot]! / c) * inZero, inOne, f);
    recurse(cold, at, depth + 1, (tree.cover[cold]! / c) * inZero, 0, f);
  };
  recurse(0, 0, 0, 1, 1, -1);
}
