import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/index.ts";
import { type CliResult, runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";

/** Order-independent fingerprint of the whole features table; built_at is bookkeeping of the write. */
const TABLE_HASH = `SELECT count(*) AS n,
  md5(string_agg(md5(CAST(t AS VARCHAR)), ',' ORDER BY md5(CAST(t AS VARCHAR)))) AS h
  FROM (SELECT * EXCLUDE (built_at) FROM features) t`;

const INSTANT = "2024-10-09T17:00:00Z";

/**
 * `build-features` end to end on real schedules (2019–2024 from the mirror): row counts checked against
 * the schedules table, idempotent re-runs, write modes, an explicit as-of snapshot, ties and usage errors.
 */
describe("build-features on real schedules", () => {
  const cwd = tempDir("nflpred-bf-");
  const asofCwd = tempDir("nflpred-bf-asof-");
  const errCwd = tempDir("nflpred-bf-err-");
  const specCwd = tempDir("nflpred-bf-spec-");
  const cli = (...args: string[]) => runCli(args, { cwd });
  const query = async <T = Record<string, unknown>>(sql: string, dir = cwd): Promise<T[]> => {
    const db = await openDatabase(join(dir, "data", "nfl.duckdb"), { readOnly: true });
    try {
      return (await db.all(sql)) as T[];
    } finally {
      db.close();
    }
  };
  const tableHash = async (dir = cwd) => {
    const r = await runCli(["sql", TABLE_HASH, "--format", "json"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as [{ n: number; h: string }];
  };

  let built: CliResult;
  let asofBuilt: CliResult;
  let unknownSet: CliResult;
  let noSeason: CliResult;
  let specRuns: CliResult[];

  beforeAll(async () => {
    const ingest = await cli("ingest", "--seasons", "2019-2024", "--datasets", "schedules");
    expect(ingest.code, ingest.stderr).toBe(0);
    // One ingest serves every directory: the database is copied while no process holds it.
    for (const dir of [asofCwd, errCwd]) {
      mkdirSync(join(dir, "data"), { recursive: true });
      for (const f of ["nfl.duckdb", "nfl.duckdb.wal"]) {
        if (existsSync(join(cwd, "data", f))) copyFileSync(join(cwd, "data", f), join(dir, "data", f));
      }
    }
    const spec = (n: number) =>
      runCli(["feature-spec", "--out", join(specCwd, `spec${n}`, "feature_spec.md")], { cwd: specCwd });
    // Two processes cannot hold one DuckDB file: each directory runs its commands in sequence.
    const errors = async () => [
      await runCli(["build-features", "--seasons", "2024", "--feature-set", "no_such_set"], { cwd: errCwd }),
      await runCli(["build-features", "--seasons", "2018"], { cwd: errCwd }),
    ];
    let errs: CliResult[];
    [built, asofBuilt, errs, specRuns] = await Promise.all([
      cli("build-features", "--seasons", "2024"),
      runCli(["build-features", "--seasons", "2024", "--asof-ts", INSTANT, "--snapshot-at", INSTANT], {
        cwd: asofCwd,
      }),
      errors(),
      spec(1).then(async (a) => [a, await spec(2)]),
    ]);
    [unknownSet, noSeason] = errs as [CliResult, CliResult];
  }, 120_000);

  it("persists two rows per 2024 game, as counted in the schedules table", async () => {
    expect(built.code, built.stderr).toBe(0);
    const [s] = await query<{ n: number }>("SELECT count(*) AS n FROM schedules WHERE season = 2024");
    expect(s?.n).toBe(285);
    expect(built.stdout).toContain(`Persisted ${2 * s!.n} feature rows for seasons: 2024`);
    expect(built.stdout).not.toContain("warning:");
    expect(built.stdout).not.toContain("still ahead");
    // Only schedules were ingested: the thin history is said, with the fix.
    expect(built.stdout).toContain(
      "History: results 2019–2024; team EPA none (qb_epa_delta rates every QB at its prior: ingest --datasets team_epa,pbp)",
    );
    const [f] = await query<{ n: number }>("SELECT count(*) AS n FROM features");
    expect(f?.n).toBe(570);
  });

  it("gives every game a home and an away row, also at neutral sites, with no duplicate keys", async () => {
    const perGame = await query<{ game_id: string; n: number; homes: number; teams: number; ok: boolean }>(
      `SELECT s.game_id, count(f.team) AS n, count(*) FILTER (WHERE f.is_home) AS homes,
              count(DISTINCT f.team) AS teams,
              bool_and((f.is_home AND f.team = s.home_team AND f.opponent = s.away_team)
                    OR (NOT f.is_home AND f.team = s.away_team AND f.opponent = s.home_team)) AS ok
       FROM schedules s LEFT JOIN features f USING (game_id)
       WHERE s.season = 2024 GROUP BY s.game_id`,
    );
    expect(perGame).toHaveLength(285);
    for (const g of perGame) expect(g, g.game_id).toMatchObject({ n: 2, homes: 1, teams: 2, ok: true });

    const london = await query<{ team: string; is_home: boolean; neutral_site: number; location: string }>(
      `SELECT f.team, f.is_home, f.neutral_site, s.location FROM features f JOIN schedules s USING (game_id)
       WHERE game_id = '2024_07_NE_JAX' ORDER BY f.is_home`,
    );
    expect(london).toEqual([
      { team: "NE", is_home: false, neutral_site: 1, location: "Neutral" },
      { team: "JAX", is_home: true, neutral_site: 1, location: "Neutral" },
    ]);

    const dups = await query(
      `SELECT season, week, game_id, team, feature_set, snapshot_at, count(*) AS n FROM features
       GROUP BY ALL HAVING count(*) > 1`,
    );
    expect(dups).toEqual([]);
  });

  it("re-running the same command leaves the table identical", async () => {
    const before = await tableHash();
    const again = await cli("build-features", "--seasons", "2024");
    expect(again.code, again.stderr).toBe(0);
    expect(await tableHash()).toEqual(before);
    expect(before[0].n).toBe(570);
  });

  it("--write-mode replace replaces only the seasons being built", async () => {
    const other = await cli("build-features", "--seasons", "2022-2023");
    expect(other.code, other.stderr).toBe(0);
    const perSeason = () =>
      query<{ season: number; n: number; h: string }>(
        `SELECT season, count(*) AS n, md5(string_agg(md5(CAST(t AS VARCHAR)), ',' ORDER BY md5(CAST(t AS VARCHAR)))) AS h
         FROM (SELECT * EXCLUDE (built_at) FROM features) t GROUP BY season ORDER BY season`,
      );
    const before = await perSeason();
    expect(before.map((r) => r.season)).toEqual([2022, 2023, 2024]);
    const r = await cli("build-features", "--seasons", "2024", "--write-mode", "replace");
    expect(r.code, r.stderr).toBe(0);
    expect(await perSeason()).toEqual(before);
  });

  it("a tie is labelled 0.5 on both rows", async () => {
    const [game] = await query<{ home_score: number; away_score: number }>(
      "SELECT home_score, away_score FROM schedules WHERE game_id = '2022_01_IND_HOU'",
    );
    expect(game?.home_score).toBe(game?.away_score);
    const rows = await query<{ team: string; label: number }>(
      "SELECT team, label FROM features WHERE game_id = '2022_01_IND_HOU' ORDER BY team",
    );
    expect(rows).toEqual([
      { team: "HOU", label: 0.5 },
      { team: "IND", label: 0.5 },
    ]);
    const [wins] = await query<{ bad: number }>(
      `SELECT count(*) AS bad FROM features f JOIN schedules s USING (game_id)
       WHERE f.label IS DISTINCT FROM CASE
         WHEN s.home_score = s.away_score THEN 0.5
         WHEN (s.home_score > s.away_score) = f.is_home THEN 1 ELSE 0 END`,
    );
    expect(wins?.bad).toBe(0);
  });

  it("--write-mode create refuses existing keys with exit 2, naming the flag, and writes nothing", async () => {
    const before = await query(TABLE_HASH);
    const r = await cli("build-features", "--seasons", "2024", "--write-mode", "create");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--write-mode/);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(await query(TABLE_HASH)).toEqual(before);
  });

  it("--asof-ts builds every game as of that instant under the --snapshot-at key", async () => {
    expect(asofBuilt.code, asofBuilt.stderr).toBe(0);
    expect(asofBuilt.stdout).toContain("Persisted 570 feature rows for seasons: 2024");
    const latest = await query<{ snapshot_at: string }>(
      "SELECT DISTINCT snapshot_at FROM features ORDER BY snapshot_at DESC LIMIT 1",
      asofCwd,
    );
    expect(latest).toEqual([{ snapshot_at: new Date(INSTANT).toISOString() }]);
    const [s] = await query<Record<string, number>>(
      `SELECT count(*) AS n,
         count(DISTINCT snapshot_at) AS snapshots,
         count(*) FILTER (WHERE asof_ts > kickoff_utc) AS after_kickoff,
         count(*) FILTER (WHERE kickoff_utc > TIMESTAMPTZ '${INSTANT}') AS future,
         count(*) FILTER (WHERE kickoff_utc > TIMESTAMPTZ '${INSTANT}' AND label IS NOT NULL) AS future_labelled,
         count(*) FILTER (WHERE kickoff_utc > TIMESTAMPTZ '${INSTANT}' AND asof_ts <> TIMESTAMPTZ '${INSTANT}') AS future_other_asof,
         count(*) FILTER (WHERE kickoff_utc + INTERVAL 1 DAY < TIMESTAMPTZ '${INSTANT}' AND label IS NULL) AS past_unlabelled
       FROM features`,
      asofCwd,
    );
    const [g] = await query<{ n: number }>(
      `SELECT count(*) AS n FROM schedules WHERE season = 2024 AND kickoff_utc > TIMESTAMPTZ '${INSTANT}'`,
      asofCwd,
    );
    expect(g!.n).toBeGreaterThan(100);
    expect(s).toEqual({
      n: 570,
      snapshots: 1,
      after_kickoff: 0,
      future: 2 * g!.n,
      future_labelled: 0,
      future_other_asof: 0,
      past_unlabelled: 0,
    });
  });

  it("a backfill with --write-mode replace keeps the as-of snapshot of the same season", async () => {
    const r = await runCli(["build-features", "--seasons", "2024", "--write-mode", "replace"], {
      cwd: asofCwd,
    });
    expect(r.code, r.stderr).toBe(0);
    const rows = await query<{ asof: boolean; n: number }>(
      `SELECT snapshot_at = TIMESTAMPTZ '${INSTANT}' AS asof, count(*) AS n FROM features GROUP BY 1 ORDER BY 1`,
      asofCwd,
    );
    expect(rows).toEqual([
      { asof: false, n: 570 },
      { asof: true, n: 570 },
    ]);
  });

  it("an unknown --feature-set fails naming the flag", () => {
    expect(unknownSet.code).toBe(2);
    expect(unknownSet.stderr).toMatch(/--feature-set/);
    expect(unknownSet.stderr).toMatch(/no_such_set/);
    expect(unknownSet.stderr).toMatch(/mvp_v1/);
  });

  it("a season without schedules fails with a hint to ingest it", () => {
    expect(noSeason.code).toBe(1);
    expect(noSeason.stderr).toMatch(/2018/);
    expect(noSeason.stderr).toMatch(/hint: .*ingest --seasons 2018/);
    expect(noSeason.stderr).not.toMatch(/unexpected error/);
  });

  it("feature-spec writes the spec and prints its sha256, stable across runs", () => {
    const sums = specRuns.map((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      const file = join(specCwd, `spec${i + 1}`, "feature_spec.md");
      const text = readFileSync(file, "utf8");
      expect(text).toMatch(/elo_pre/);
      const m = /feature_spec_checksum mvp_v1 sha256:([0-9a-f]{64})/.exec(r.stdout);
      expect(m?.[1]).toBe(createHash("sha256").update(text).digest("hex"));
      return m?.[1];
    });
    expect(sums[0]).toBe(sums[1]);
    expect(existsSync(join(specCwd, "docs"))).toBe(false);
  });
});
