import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stubArtifact } from "../../test/helpers/artifacts.ts";
import { isNflPredError } from "../domain/index.ts";
import { writeArtifact } from "./artifact.ts";
import {
  applyLinkPlan,
  clearIntent,
  planPromotion,
  planRollback,
  readIntent,
  readLink,
  readModelLinks,
  replaceLink,
  writeIntent,
} from "./links.ts";

function modelsDir(...ids: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "nflpred-links-"));
  for (const id of ids) writeArtifact(dir, stubArtifact(id));
  return dir;
}

describe("readLink", () => {
  it("tells absent, valid, dangling and plain-file links apart", () => {
    const dir = modelsDir("a", "b");
    expect(readLink(dir, "current")).toMatchObject({ present: false, file: null, dangling: false });
    replaceLink(dir, "current", "a.model.json");
    expect(readLink(dir, "current")).toMatchObject({
      present: true,
      target: "a.model.json",
      modelId: "a",
      dangling: false,
    });
    rmSync(join(dir, "a.model.json"));
    expect(readLink(dir, "current")).toMatchObject({
      present: true,
      file: null,
      modelId: "a",
      dangling: true,
    });
    rmSync(join(dir, "current"));
    writeFileSync(join(dir, "current"), "not json");
    expect(readLink(dir, "current")).toMatchObject({
      present: true,
      target: null,
      modelId: null,
      dangling: false,
    });
  });
});

describe("replaceLink", () => {
  it("swaps a link in place with a relative target and leaves no temp file", () => {
    const dir = modelsDir("a", "b");
    replaceLink(dir, "current", "a.model.json");
    replaceLink(dir, "current", join(dir, "b.model.json"));
    expect(readlinkSync(join(dir, "current"))).toBe("b.model.json");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    replaceLink(dir, "current", null);
    expect(() => lstatSync(join(dir, "current"))).toThrow();
  });

  it("replaces a leftover temp link of a dead process", () => {
    const dir = modelsDir("a");
    symlinkSync("gone.model.json", join(dir, "current.tmp-999999999"));
    replaceLink(dir, "current", "a.model.json");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("plans", () => {
  it("promotion moves the old current to previous", () => {
    const dir = modelsDir("a", "b", "c");
    applyLinkPlan(dir, planPromotion(readModelLinks(dir), "a.model.json"));
    expect(readModelLinks(dir).current.modelId).toBe("a");
    expect(readModelLinks(dir).previous.present).toBe(false);
    applyLinkPlan(dir, planPromotion(readModelLinks(dir), "b.model.json"));
    applyLinkPlan(dir, planPromotion(readModelLinks(dir), "c.model.json"));
    const links = readModelLinks(dir);
    expect([links.current.modelId, links.previous.modelId]).toEqual(["c", "b"]);
  });

  it("promotion over a dangling current keeps the previous that still exists", () => {
    const dir = modelsDir("a", "b", "c");
    applyLinkPlan(dir, { current: "b.model.json", previous: "a.model.json" });
    rmSync(join(dir, "b.model.json"));
    expect(planPromotion(readModelLinks(dir), "c.model.json")).toEqual({
      current: "c.model.json",
      previous: "a.model.json",
    });
  });

  it("rollback swaps, clears previous when current is dangling, and refuses without a previous", () => {
    const dir = modelsDir("a", "b");
    applyLinkPlan(dir, { current: "b.model.json", previous: "a.model.json" });
    expect(planRollback(readModelLinks(dir))).toEqual({ current: "a.model.json", previous: "b.model.json" });
    rmSync(join(dir, "b.model.json"));
    expect(planRollback(readModelLinks(dir))).toEqual({ current: "a.model.json", previous: null });
    replaceLink(dir, "previous", null);
    let err: unknown;
    try {
      planRollback(readModelLinks(dir));
    } catch (e) {
      err = e;
    }
    expect(isNflPredError(err) && err.message).toMatch(/no previous model/);
    replaceLink(dir, "previous", "missing.model.json");
    expect(() => planRollback(readModelLinks(dir))).toThrow(
      /previous points to a missing artifact \(missing\.model\.json\)/,
    );
  });
});

describe("intent journal", () => {
  it("a change interrupted after the intent is finished by applying it again", () => {
    const dir = modelsDir("a", "b");
    applyLinkPlan(dir, { current: "a.model.json", previous: null });
    const plan = { current: "b.model.json", previous: "a.model.json" };
    writeIntent(dir, { plan, meta: { note: "x" } });
    // The crash: only the first of the two link swaps happened.
    replaceLink(dir, "previous", "a.model.json");
    const pending = readIntent(dir);
    expect(pending).toEqual({ plan, meta: { note: "x" } });
    applyLinkPlan(dir, pending!.plan);
    clearIntent(dir);
    const links = readModelLinks(dir);
    expect([links.current.modelId, links.previous.modelId]).toEqual(["b", "a"]);
    expect(readIntent(dir)).toBeNull();
  });

  it("ignores an intent that names paths outside the models directory", () => {
    const dir = modelsDir();
    writeFileSync(
      join(dir, ".registry-intent.json"),
      JSON.stringify({ plan: { current: "../x", previous: null } }),
    );
    expect(readIntent(dir)).toBeNull();
  });
});
