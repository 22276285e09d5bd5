import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stubArtifact } from "../../test/helpers/artifacts.ts";
import { listArtifactFiles, readArtifact, removeStaleTemps, writeArtifact, writeAtomic } from "./artifact.ts";

describe("writeAtomic and stale temp files", () => {
  it("clears the same file's temp files left by dead processes, and nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-tmp-"));
    const path = join(dir, "report.csv");
    writeFileSync(`${path}.tmp-999999999`, "half a rep");
    writeFileSync(join(dir, "other.csv.tmp-999999999"), "someone else's");
    writeFileSync(`${path}.tmp-${process.ppid}`, "a live process");
    writeAtomic(path, "a,b\n1,2\n");
    expect(readFileSync(path, "utf8")).toBe("a,b\n1,2\n");
    expect(readdirSync(dir).sort()).toEqual([
      "other.csv.tmp-999999999",
      "report.csv",
      `report.csv.tmp-${process.ppid}`,
    ]);
    expect(removeStaleTemps(dir)).toEqual([join(dir, "other.csv.tmp-999999999")]);
  });
});

describe("writeArtifact under a crash", () => {
  it("an artifact visible under its final name always has its checksum", () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-art-"));
    const a = stubArtifact("m1");
    const { path } = writeArtifact(dir, a);
    expect(readArtifact(path).artifact.modelId).toBe("m1");
    // A kill between the two renames leaves the checksum without the artifact: nothing lists it.
    writeFileSync(join(dir, "m2.model.json.sha256"), "abc  m2.model.json\n");
    writeFileSync(join(dir, "m2.model.json.tmp-999999999"), '{"format":');
    expect(listArtifactFiles(dir)).toEqual([path]);
    expect(existsSync(`${path}.sha256`)).toBe(true);
  });
});
