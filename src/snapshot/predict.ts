import { NflPredError, seasonArgs, type Tier, tierFor } from "../domain/index.ts";
import {
  defsForColumns,
  designColumns,
  designMatrix,
  type FeatureDef,
  type FeatureRow,
  type GamePair,
  nullIsDataGap,
} from "../features/index.ts";
import { createMatrix, restoreCalibrator, restoreModel } from "../model/index.ts";

export interface ModelForPrediction {
  readonly modelId: string;
  readonly featureSet: string;
  readonly designColumns: readonly string[];
  readonly model: { readonly kind: string; readonly features: readonly string[]; readonly params: unknown };
  readonly calibrator: { readonly kind: string; readonly params: unknown };
}

/**
 * A contribution smaller than this (in logit points, about 0.75 percentage points near 50 %) is not
 * named as a reason: in a regular-season game `playoff` contributes a hundredth of a logit against the
 * training mean, and a line of such "reasons" reads as if the feature mattered.
 */
export const MIN_REASON_LOGIT = 0.03;

export interface Reason {
  readonly feature: string;
  /** Contribution in logit points toward the home team (positive favours home). */
  readonly logit: number;
  /**
   * The input had no value for this game because it is not known yet or absent upstream: the contribution
   * is the model's missing-value rule (imputed median plus missing flag, or the trees' default branch).
   */
  readonly missing?: true;
}

export interface GamePrediction {
  readonly gameId: string;
  readonly season: number;
  readonly week: number;
  readonly homeTeam: string;
  readonly awayTeam: string;
  readonly kickoff: number;
  readonly asOf: number;
  readonly pHome: number;
  readonly pAway: number;
  readonly pick: string;
  readonly tier: Tier;
  /** Top contributions by absolute size (exact for linear models, TreeSHAP for trees). */
  readonly reasons: readonly Reason[];
  /** Every design column's contribution, for the weekly explanation summary. */
  readonly contributions: Readonly<Record<string, number>>;
  /** The model's input columns whose value for this game is a data gap (see `nullIsDataGap`). */
  readonly missingInputs: readonly string[];
}

/** Pairs a game's home and away feature rows. */
export function pairRows(
  rows: readonly FeatureRow[],
): (GamePair & { homeTeam: string; awayTeam: string; asOf: number })[] {
  const byGame = new Map<string, { home?: FeatureRow; away?: FeatureRow }>();
  for (const r of rows) {
    const e = byGame.get(r.gameId) ?? {};
    if (r.isHome) e.home = r;
    else e.away = r;
    byGame.set(r.gameId, e);
  }
  const out: (GamePair & { homeTeam: string; awayTeam: string; asOf: number })[] = [];
  for (const [gameId, e] of byGame) {
    if (!e.home || !e.away)
      throw new NflPredError("NO_DATA", `game ${gameId} lacks its home or away feature row`);
    out.push({
      gameId,
      season: e.home.season,
      week: e.home.week,
      kickoff: e.home.kickoff,
      homeTeam: e.home.team,
      awayTeam: e.away.team,
      asOf: e.home.asOf,
      home: e.home.values,
      away: e.away.values,
    });
  }
  return out.sort((a, b) => a.kickoff - b.kickoff || a.gameId.localeCompare(b.gameId));
}

/**
 * Scores games with a stored model: calibrated p_home, p_away = 1 - p_home, the pick (p ≥ 0.5 picks
 * home), its tier, and the top reasons (at most `topReasons`, none under `MIN_REASON_LOGIT`). Pure.
 */
export function predictGames(
  m: ModelForPrediction,
  defs: readonly FeatureDef[],
  rows: readonly FeatureRow[],
  topReasons = 3,
): GamePrediction[] {
  const view = defsForColumns(defs, m.designColumns);
  if (view.missing.length > 0) {
    throw new NflPredError(
      "MODEL",
      `model ${m.modelId} uses ${view.missing.join(", ")}, not in the current feature set ${m.featureSet}`,
      {
        hint: "retrain with `npx nfl-pred train` or use a model built for the current feature spec",
      },
    );
  }
  const pairs = pairRows(rows);
  if (pairs.length === 0) return [];
  const { names, data } = designMatrix(pairs, view.defs);
  const X = createMatrix(pairs.length, names.length, data, names);
  const model = restoreModel(m.model.kind, m.model.features, m.model.params);
  const calibrator = restoreCalibrator(m.calibrator.kind, m.calibrator.params);
  const p = calibrator.apply(model.predict(X));
  const contrib = model.contributions?.(X);
  const width = model.features.length;
  // Only a data gap is reported as missing: a null a feature defines (no rest days at an opener) is data.
  const gapColumns = new Set(designColumns(view.defs.filter(nullIsDataGap)));
  return pairs.map((g, i) => {
    const pHome = p[i]!;
    const missingInputs = names.filter(
      (c, j) => gapColumns.has(c) && !Number.isFinite(data[i * names.length + j]!),
    );
    const absent = new Set(missingInputs);
    const contributions: Record<string, number> = {};
    if (contrib) {
      for (let j = 0; j < width; j++) {
        const v = contrib.values[i * width + j]!;
        if (v !== 0) contributions[model.features[j]!] = v;
      }
    }
    const reasons = Object.entries(contributions)
      .filter(([, v]) => Math.abs(v) >= MIN_REASON_LOGIT)
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
      .slice(0, topReasons)
      .map(
        ([feature, logit]): Reason =>
          absent.has(feature) ? { feature, logit, missing: true } : { feature, logit },
      );
    const homePicked = pHome >= 0.5;
    return {
      gameId: g.gameId,
      season: g.season,
      week: g.week,
      homeTeam: g.homeTeam,
      awayTeam: g.awayTeam,
      kickoff: g.kickoff,
      asOf: g.asOf,
      pHome,
      pAway: 1 - pHome,
      pick: homePicked ? g.homeTeam : g.awayTeam,
      tier: tierFor(homePicked ? pHome : 1 - pHome),
      reasons,
      contributions,
      missingInputs,
    };
  });
}

/**
 * One warning line when model inputs had no value for some of the scored games, column by column with
 * counts (most often missing first), and the ingest that refreshes them; undefined when every input was
 * there. The usual cause is a look more than a week ahead: nflverse adds a game's lines and expected
 * starting QBs to the schedule about a week before it (seen in a December 2025 copy of the schedule).
 */
export function describeMissingInputs(preds: readonly GamePrediction[]): string | undefined {
  const counts = new Map<string, number>();
  for (const p of preds) for (const c of p.missingInputs) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  const list = [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c, n]) => `${c} in ${n} of ${preds.length}`);
  return (
    `warning: model inputs had no value: ${list.join(", ")} games. The model filled them by its ` +
    'missing-value rule, so those probabilities do not use them (reasons built on them say "(missing)"). ' +
    "Lines and expected starting QBs reach the nflverse schedule about a week before a game; refresh " +
    `what is stored: npx nfl-pred ingest --seasons ${seasonArgs(preds.map((p) => p.season))}`
  );
}

/** Mean absolute contribution per design column over a week's games, largest first. */
export function summarizeContributions(
  preds: readonly GamePrediction[],
): { feature: string; meanAbs: number; meanSigned: number }[] {
  const acc = new Map<string, { abs: number; signed: number }>();
  for (const p of preds) {
    for (const [f, v] of Object.entries(p.contributions)) {
      const a = acc.get(f) ?? { abs: 0, signed: 0 };
      a.abs += Math.abs(v);
      a.signed += v;
      acc.set(f, a);
    }
  }
  const n = Math.max(1, preds.length);
  return [...acc.entries()]
    .map(([feature, a]) => ({ feature, meanAbs: a.abs / n, meanSigned: a.signed / n }))
    .sort((a, b) => b.meanAbs - a.meanAbs);
}

/** "diff_elo_pre → JAX (+0.21)": the reason in words, signed toward the team it favours. */
export function describeReason(r: Reason, homeTeam: string, awayTeam: string): string {
  return `${r.feature}${r.missing ? " (missing)" : ""} → ${r.logit >= 0 ? homeTeam : awayTeam} (${r.logit >= 0 ? "+" : "−"}${Math.abs(r.logit).toFixed(2)})`;
}
