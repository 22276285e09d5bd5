import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/mirror.ts";
import { expectNoPartialFiles, isTempName, killDelays } from "./helpers.ts";

/** The crash tests are only as good as their detector of partial files, so it is tested on its own. */
describe("expectNoPartialFiles", () => {
  const make = (files: Record<string, string | Buffer>) => {
    const cwd = tempDir("nflpred-partial-");
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(join(cwd, rel, ".."), { recursive: true });
      writeFileSync(join(cwd, rel), body);
    }
    return cwd;
  };

  it("accepts temp names, whatever is in them", async () => {
    const cwd = make({
      "data/models/m.model.json.tmp-123": "{",
      "data/raw/.tmp/schedules.csv": "half",
      "backups/nfl_20240101T000000Z.duckdb.tmp-9": "x",
      "backups/nfl_20240101T000000Z.duckdb.tmp-9.wal": "x",
      "data/reports/.x.png.5f0c.tmp": "x",
    });
    await expect(expectNoPartialFiles(cwd)).resolves.toHaveLength(5);
  });

  it("rejects an artifact without its checksum, a cut PNG, a cut CSV, a damaged backup and bad Parquet", async () => {
    for (const files of [
      { "data/models/m.model.json": '{"format":"nfl-pred-model/1"}' },
      { "data/models/reliability_m.png": Buffer.from("89504e470d0a1a0a0000", "hex") },
      { "data/reports/metrics.csv": "a,b\n1," },
      { "backups/nfl_20240101T000000Z.duckdb": "not a database" },
      { "data/raw/schedules/games.parquet": "PAR1 cut" },
    ]) {
      await expect(expectNoPartialFiles(make(files))).rejects.toThrow();
    }
  });

  it("classifies names and spreads kill delays over the range", () => {
    expect(isTempName("data/models/current.tmp-4242")).toBe(true);
    expect(isTempName("data/models/m.model.json")).toBe(false);
    expect(isTempName("data/models/m.tmp.model.json")).toBe(false);
    const d = killDelays(5, 100, 1100, 1);
    expect(d).toHaveLength(5);
    d.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(100 + i * 200);
      expect(ms).toBeLessThanOrEqual(100 + (i + 1) * 200);
    });
  });
});
