import { NflPredError } from "../domain/index.ts";

/** A dense feature matrix, row-major; NaN marks a missing value. Columns are identified by name. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
  readonly names: readonly string[];
}

/**
 * Wraps row-major data as a Matrix after checking its shape and that names are unique.
 * @example createMatrix(2, 1, Float64Array.of(0.5, NaN), ["elo_diff"])
 */
export function createMatrix(
  rows: number,
  cols: number,
  data: Float64Array,
  names: readonly string[],
): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new NflPredError("MODEL", `invalid matrix shape ${rows}x${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new NflPredError("MODEL", `matrix data has ${data.length} values, expected ${rows}x${cols}`);
  }
  if (names.length !== cols) {
    throw new NflPredError("MODEL", `matrix has ${cols} columns but ${names.length} names`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new NflPredError("MODEL", `duplicate column name '${n}'`, { column: n });
    seen.add(n);
  }
  return { rows, cols, data, names: [...names] };
}

/**
 * Builds a Matrix from named columns of equal length; null becomes NaN (missing).
 * @example matrixFromColumns({ elo_diff: [12, -30], rest_diff: [null, 3] })
 */
export function matrixFromColumns(columns: Readonly<Record<string, ArrayLike<number | null>>>): Matrix {
  const names = Object.keys(columns);
  const rows = names.length === 0 ? 0 : columns[names[0]!]!.length;
  const cols = names.length;
  const data = new Float64Array(rows * cols);
  names.forEach((name, j) => {
    const c = columns[name]!;
    if (c.length !== rows) {
      throw new NflPredError("MODEL", `column '${name}' has ${c.length} rows, expected ${rows}`, {
        column: name,
      });
    }
    for (let i = 0; i < rows; i++) data[i * cols + j] = c[i] ?? Number.NaN;
  });
  return createMatrix(rows, cols, data, names);
}

/** Builds a Matrix from row arrays; null becomes NaN (missing). */
export function matrixFromRows(
  rows: readonly (readonly (number | null)[])[],
  names: readonly string[],
): Matrix {
  const cols = names.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols)
      throw new NflPredError("MODEL", `row ${i} has ${r.length} values, expected ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = r[j] ?? Number.NaN;
  });
  return createMatrix(rows.length, cols, data, names);
}

/**
 * The columns `names` of X in that order (extra columns are ignored); a missing column is an error.
 * Returns X itself when it already has exactly these columns in this order.
 */
export function selectColumns(X: Matrix, names: readonly string[]): Matrix {
  if (X.names.length === names.length && X.names.every((n, j) => n === names[j])) return X;
  const where = new Map(X.names.map((n, j) => [n, j]));
  const source = names.map((n) => {
    const j = where.get(n);
    if (j === undefined) {
      throw new NflPredError("MODEL", `feature column '${n}' is missing from the input matrix`, {
        column: n,
        hint: "predict needs every feature the model was trained on",
      });
    }
    return j;
  });
  const cols = names.length;
  const data = new Float64Array(X.rows * cols);
  for (let i = 0; i < X.rows; i++) {
    const from = i * X.cols;
    for (let j = 0; j < cols; j++) data[i * cols + j] = X.data[from + source[j]!]!;
  }
  return { rows: X.rows, cols, data, names: [...names] };
}

/** The rows of X at the given indices, in that order. */
export function takeRows(X: Matrix, index: ArrayLike<number>): Matrix {
  const data = new Float64Array(index.length * X.cols);
  for (let i = 0; i < index.length; i++) {
    const r = index[i]!;
    data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), i * X.cols);
  }
  return { rows: index.length, cols: X.cols, data, names: X.names };
}

/** Column j of X as a new array. */
export function getColumn(X: Matrix, j: number): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) out[i] = X.data[i * X.cols + j]!;
  return out;
}

/** X's data transposed to column-major (column j at [j*rows, (j+1)*rows)), for per-column passes. */
export function columnMajor(X: Matrix): Float64Array {
  const { rows, cols, data } = X;
  const out = new Float64Array(rows * cols);
  const BLOCK = 256;
  for (let start = 0; start < rows; start += BLOCK) {
    const end = Math.min(rows, start + BLOCK);
    for (let j = 0; j < cols; j++) {
      const off = j * rows;
      for (let i = start; i < end; i++) out[off + i] = data[i * cols + j]!;
    }
  }
  return out;
}
