import type { FeatureDef } from "./registry.ts";

/** One game's pair of feature rows (home and away), as stored. */
export interface GamePair {
  readonly gameId: string;
  readonly season: number;
  readonly week: number;
  readonly kickoff: number;
  readonly home: Readonly<Record<string, number | null>>;
  readonly away: Readonly<Record<string, number | null>>;
}

/** Model column names of a feature set: game features as they are, team features as home minus away. */
export function designColumns(defs: readonly FeatureDef[]): string[] {
  return defs.map((d) => (d.scope === "team" ? `diff_${d.name}` : d.name));
}

/**
 * The model's view of games: one row per game from the home side, so p_away = 1 - p_home exactly.
 * Missing inputs become NaN (the models impute and add missing indicators).
 */
export function designMatrix(
  pairs: readonly GamePair[],
  defs: readonly FeatureDef[],
): { names: string[]; data: Float64Array } {
  const used = defs;
  const names = designColumns(defs);
  const data = new Float64Array(pairs.length * used.length);
  for (const [i, p] of pairs.entries()) {
    for (const [j, d] of used.entries()) {
      let v: number | null;
      if (d.scope === "team") {
        const h = p.home[d.name];
        const a = p.away[d.name];
        v = h === null || h === undefined || a === null || a === undefined ? null : h - a;
      } else {
        v = p.home[d.name] ?? null;
      }
      data[i * used.length + j] = v === null ? Number.NaN : v;
    }
  }
  return { names, data };
}

/**
 * The definitions behind a model's design columns, in the model's order; `missing` lists the columns
 * the feature set no longer has (a model trained on an older version of the set).
 */
export function defsForColumns(
  defs: readonly FeatureDef[],
  columns: readonly string[],
): { defs: FeatureDef[]; missing: string[] } {
  const names = designColumns(defs);
  const byColumn = new Map(defs.map((d, i) => [names[i]!, d]));
  return {
    defs: columns.flatMap((c) => byColumn.get(c) ?? []),
    missing: columns.filter((c) => !byColumn.has(c)),
  };
}
