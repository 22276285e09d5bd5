import { describe, expect, it } from "vitest";
import { resolveTrackingRoot } from "./index.ts";

describe("resolveTrackingRoot", () => {
  const cwd = "/srv/nfl";
  it.each([
    [undefined, "/srv/nfl/mlruns"],
    ["", "/srv/nfl/mlruns"],
    ["file:./mlruns", "/srv/nfl/mlruns"],
    ["file:mlruns", "/srv/nfl/mlruns"],
    ["file:../shared/mlruns", "/srv/shared/mlruns"],
    ["file:/abs/mlruns", "/abs/mlruns"],
    ["file:///abs/mlruns", "/abs/mlruns"],
    ["file:///abs/my%20runs", "/abs/my runs"],
    ["file://localhost/abs/mlruns", "/abs/mlruns"],
    ["./runs", "/srv/nfl/runs"],
    ["/var/lib/mlruns/", "/var/lib/mlruns"],
  ])("%s -> %s", (uri, expected) => {
    expect(resolveTrackingRoot(uri, cwd)).toBe(expected);
  });

  it.each([
    "http://127.0.0.1:5000",
    "sqlite:///mlflow.db",
    "databricks://profile",
    "file://otherhost/mlruns",
  ])("rejects %s: only a local file store is written", (uri) => {
    expect(() => resolveTrackingRoot(uri, cwd)).toThrow(expect.objectContaining({ code: "CONFIG" }));
  });
});
