import { NflPredError } from "../domain/index.ts";
import type { AppendType, Database } from "./db.ts";

/** One feature row as stored: keys, timing, label and one DOUBLE column per feature. */
export interface FeatureRecord {
  readonly season: number;
  readonly week: number;
  readonly gameId: string;
  readonly team: string;
  readonly opponent: string;
  readonly isHome: boolean;
  readonly snapshotAt: number;
  readonly asOf: number;
  readonly kickoff: number;
  readonly stage: string | null;
  readonly label: number | null;
  readonly values: Readonly<Record<string, number | null>>;
}

export type WriteMode = "create" | "replace" | "append";

const KEY_COLUMNS: readonly [string, AppendType][] = [
  ["season", "INTEGER"],
  ["week", "INTEGER"],
  ["game_id", "VARCHAR"],
  ["team", "VARCHAR"],
  ["opponent", "VARCHAR"],
  ["is_home", "BOOLEAN"],
  ["feature_set", "VARCHAR"],
  ["snapshot_ms", "DOUBLE"],
  ["asof_ms", "DOUBLE"],
  ["kickoff_ms", "DOUBLE"],
  ["stage", "VARCHAR"],
  ["label", "DOUBLE"],
];

const FEATURE_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Writes feature rows in one transaction. `replace` first removes the rows of the same feature set,
 * seasons and snapshot instants; `append` upserts by key; `create` refuses to overwrite any key.
 * Nothing else in the table is touched.
 */
export async function writeFeatureRows(
  db: Database,
  rows: readonly FeatureRecord[],
  opts: { featureSet: string; features: readonly string[]; mode: WriteMode; builtAt: number },
): Promise<number> {
  for (const f of opts.features) {
    if (!FEATURE_NAME.test(f)) throw new NflPredError("USAGE", `invalid feature name '${f}'`, { value: f });
  }
  const existing = new Set(await db.columns("features"));
  for (const f of opts.features) {
    if (!existing.has(f)) await db.run(`ALTER TABLE features ADD COLUMN "${f}" DOUBLE`);
  }
  await db.run(
    `CREATE OR REPLACE TEMP TABLE features_stage (${[...KEY_COLUMNS.map(([n, t]) => `${n} ${t}`), ...opts.features.map((f) => `"${f}" DOUBLE`)].join(", ")})`,
  );
  const types: AppendType[] = [
    ...KEY_COLUMNS.map(([, t]) => t),
    ...opts.features.map((): AppendType => "DOUBLE"),
  ];
  await db.appendRows(
    "features_stage",
    types,
    rows.map((r) => [
      r.season,
      r.week,
      r.gameId,
      r.team,
      r.opponent,
      r.isHome,
      opts.featureSet,
      r.snapshotAt,
      r.asOf,
      r.kickoff,
      r.stage,
      r.label,
      ...opts.features.map((f) => r.values[f] ?? null),
    ]),
  );
  const cols = ["season", "week", "game_id", "team", "opponent", "is_home", "feature_set"];
  const featureCols = opts.features.map((f) => `"${f}"`);
  const select = `SELECT ${cols.join(", ")}, to_timestamp(snapshot_ms / 1000), to_timestamp(asof_ms / 1000),
    to_timestamp(kickoff_ms / 1000), stage, label, to_timestamp(${opts.builtAt / 1000})${featureCols.length ? ", " : ""}${featureCols.join(", ")}
    FROM features_stage`;
  const target = `features (${[...cols, "snapshot_at", "asof_ts", "kickoff_utc", "stage", "label", "built_at", ...featureCols].join(", ")})`;
  const keyMatch = `f.season = s.season AND f.week = s.week AND f.game_id = s.game_id AND f.team = s.team
    AND f.feature_set = s.feature_set AND f.snapshot_at = to_timestamp(s.snapshot_ms / 1000)`;
  try {
    await db.transaction(async () => {
      if (opts.mode === "create") {
        const clash = await db.one<{ game_id: string; snapshot_at: string }>(
          `SELECT f.game_id, f.snapshot_at FROM features f JOIN features_stage s ON ${keyMatch} LIMIT 1`,
        );
        if (clash) {
          throw new NflPredError(
            "USAGE",
            `--write-mode create: features already exist for ${clash.game_id} at ${clash.snapshot_at}`,
            { flag: "--write-mode", hint: "use --write-mode replace (or append) to overwrite" },
          );
        }
      } else if (opts.mode === "replace") {
        await db.run(
          `DELETE FROM features f WHERE f.feature_set = ? AND EXISTS (SELECT 1 FROM features_stage s
             WHERE s.season = f.season AND to_timestamp(s.snapshot_ms / 1000) = f.snapshot_at)`,
          [opts.featureSet],
        );
      } else {
        await db.run(
          `DELETE FROM features f WHERE EXISTS (SELECT 1 FROM features_stage s WHERE ${keyMatch})`,
        );
      }
      await db.run(`INSERT INTO ${target} ${select}`);
    });
  } finally {
    await db.run("DROP TABLE IF EXISTS features_stage");
  }
  return rows.length;
}
