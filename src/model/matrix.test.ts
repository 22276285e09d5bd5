import { describe, expect, it } from "vitest";
import {
  createMatrix,
  getColumn,
  matrixFromColumns,
  matrixFromRows,
  selectColumns,
  takeRows,
} from "./index.ts";

describe("matrix helpers", () => {
  const X = matrixFromColumns({ a: [1, null, 3], b: [4, 5, null] });

  it("stores row-major data with null as NaN", () => {
    expect(X).toMatchObject({ rows: 3, cols: 2, names: ["a", "b"] });
    expect(Array.from(X.data)).toEqual([1, 4, Number.NaN, 5, 3, Number.NaN]);
    expect(
      matrixFromRows(
        [
          [1, 4],
          [null, 5],
          [3, null],
        ],
        ["a", "b"],
      ),
    ).toEqual(X);
  });

  it("reorders, subsets and slices by name and index", () => {
    expect(Array.from(selectColumns(X, ["b", "a"]).data)).toEqual([4, 1, 5, Number.NaN, Number.NaN, 3]);
    expect(selectColumns(X, ["a", "b"])).toBe(X);
    expect(Array.from(takeRows(X, [2, 0]).data)).toEqual([3, Number.NaN, 1, 4]);
    expect(Array.from(getColumn(X, 1))).toEqual([4, 5, Number.NaN]);
  });

  it("rejects bad shapes, duplicate names and missing columns", () => {
    expect(() => createMatrix(2, 2, new Float64Array(3), ["a", "b"])).toThrow(/3 values/);
    expect(() => createMatrix(1, 2, new Float64Array(2), ["a", "a"])).toThrow(/duplicate/);
    expect(() => matrixFromColumns({ a: [1], b: [1, 2] })).toThrow(/column 'b'/);
    expect(() => selectColumns(X, ["a", "c"])).toThrow(/'c' is missing/);
  });
});
