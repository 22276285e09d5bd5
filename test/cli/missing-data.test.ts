import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

/**
 * `train` and `backtest` on seasons that give no T-60m rows of completed games say which step is missing:
 * the schedule, the results (a season not played yet: the mirror's 2026), or the feature rows; `monitor`
 * names the build of the feature set it was asked for.
 */
describe("commands without the data they need say which step is missing", () => {
  const cwd = tempDir("nflpred-notrain-");
  const cli = (...args: string[]) => runCli(args, { cwd });

  beforeAll(async () => {
    const r = await cli("ingest", "--seasons", "2024", "2026", "--datasets", "schedules");
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it.each([["train"], ["backtest"]])("%s: a season with no schedule stored names the ingest", async (cmd) => {
    const r = await cli(cmd, "--seasons", "2023");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("2023");
    expect(r.stderr).toContain("no schedule stored for them");
    expect(r.stderr).toContain("run `npx nfl-pred ingest --seasons 2023` first");
  });

  it.each([["train"], ["backtest"]])(
    "%s: a season not played yet says no game has a result and names the latest season that has",
    async (cmd) => {
      const r = await cli(cmd, "--seasons", "2026");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/none of their 272 games has a result stored/);
      expect(r.stderr).toContain("the latest season with results is 2024 (e.g. --seasons 2024)");
      expect(r.stderr).toContain("npx nfl-pred ingest --seasons 2026 --datasets schedules");
      expect(r.stderr).not.toContain("build-features");
    },
  );

  it("monitor: a week without feature rows names the snapshot or build of that feature set", async () => {
    const r = await cli("monitor", "--season", "2024", "--week", "6", "--feature-set", "market_v1");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no T-60m feature rows for season 2024 week 6 (feature set market_v1)");
    expect(r.stderr).toContain("npx nfl-pred snapshot --season 2024 --week 6 --feature-set market_v1");
    expect(r.stderr).toContain("npx nfl-pred build-features --seasons 2024 --feature-set market_v1");
  });

  it("train: completed games without feature rows name build-features", async () => {
    const r = await cli("train", "--seasons", "2024");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no T-60m features of completed games in seasons 2024");
    expect(r.stderr).toContain("run `npx nfl-pred build-features --seasons 2024 --feature-set mvp_v1` first");
  });

  it("train: a feature set never built names build-features for that set, not a database error", async () => {
    expect((await cli("build-features", "--seasons", "2024")).code).toBe(0);
    const r = await cli("train", "--seasons", "2024", "--feature-set", "market_v1");
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("unexpected error");
    expect(r.stderr).toContain(
      "run `npx nfl-pred build-features --seasons 2024 --feature-set market_v1` first",
    );
  });

  it("train: rows built without a column the model needs are a SCHEMA error naming it, fixed by a rebuild", async () => {
    expect((await cli("build-features", "--seasons", "2024")).code).toBe(0);
    expect((await cli("sql", "ALTER TABLE features DROP COLUMN qb_epa_delta")).code).toBe(0);
    const r = await cli("train", "--seasons", "2024");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the features table has no column 'qb_epa_delta' for feature set mvp_v1");
    expect(r.stderr).toContain("--feature-set mvp_v1 --write-mode replace");
    expect((await cli("build-features", "--seasons", "2024", "--write-mode", "replace")).code).toBe(0);
    const again = await cli("train", "--seasons", "2024");
    expect(again.code, again.stderr).toBe(0);
  });

  it("predict: a week whose schedule has no starting QBs yet says which inputs had no value", async () => {
    // The model of the test above; the mirror's 2026 schedule names no starters for games not played.
    const r = await cli("predict", "--season", "2026", "--week", "10");
    expect(r.code, r.stderr).toBe(0);
    const n = Number(/^Generated (\d+) predictions/m.exec(r.stdout)?.[1]);
    expect(n).toBeGreaterThan(10);
    expect(r.stdout).toMatch(
      new RegExp(`^warning: model inputs had no value: .*diff_qb_changed in ${n} of ${n}`, "m"),
    );
    expect(r.stdout).toContain("so those probabilities do not use them");
    expect(r.stdout).toContain("refresh what is stored: npx nfl-pred ingest --seasons 2026");
  });

  it("predict: a range with a week that has no games writes nothing and names the week", async () => {
    // The 2026 schedule ends at week 18.
    const r = await cli("predict", "--season", "2026", "--week", "17-19");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no games for season 2026 week 19");
    const stored = await cli(
      "sql",
      "SELECT count(*) AS n FROM predictions WHERE season = 2026 AND week IN (17, 18)",
    );
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stdout).toMatch(/^\s*0\s*$/m);
    const bad = await cli("predict", "--season", "2026", "--week", "3-1");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--week: range '3-1' runs backwards");
  });
});
