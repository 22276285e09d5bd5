import { type Game, MS_HOUR, NflPredError, type SeasonPhase, seasonPhase } from "../domain/index.ts";
import { designMatrix, type FeatureDef, spreadToProbability, vigFreeHome } from "../features/index.ts";
import {
  chooseL2,
  createMatrix,
  minTrainingWeeks,
  type TrainSettings,
  trainCalibrated,
} from "../model/index.ts";
import { FIRST_SEASON } from "./args.ts";
import { type LabelledPair, toTrainData, usesL2 } from "./training-data.ts";

export interface BacktestRow {
  readonly gameId: string;
  readonly season: number;
  readonly week: number;
  readonly phase: SeasonPhase;
  readonly label: number;
  readonly pModel: number;
  readonly pElo: number;
  readonly pMarket: number | null;
  readonly modelId: string;
}

export interface WalkForwardOptions {
  readonly seasons: readonly number[];
  readonly retrain: "weekly" | "seasonly";
  readonly seasonsBack: number;
  readonly seasonWeights: readonly number[];
  readonly runId: string;
  /** Ridge penalties to choose from by nested forward-chaining CV, once per season (margin, logistic). */
  readonly l2Grid?: readonly number[];
  readonly onBlock?: (done: number, total: number, label: string) => void;
}

/**
 * Walk-forward evaluation: each week (or season) of the target seasons is predicted by a model trained
 * only on games whose results were visible before that block's first kickoff, within the rolling window.
 * Baselines on the same games: the built-in Elo and the vig-free closing moneyline (spread fallback).
 */
export function walkForward(
  pairs: readonly LabelledPair[],
  games: readonly Game[],
  defs: readonly FeatureDef[],
  settings: TrainSettings,
  opts: WalkForwardOptions,
): BacktestRow[] {
  const targets = pairs.filter((p) => opts.seasons.includes(p.season) && p.label !== null);
  const gameById = new Map(games.map((g) => [g.gameId, g]));
  const blocks = groupBlocks(targets, opts.retrain);
  const rows: BacktestRow[] = [];
  const l2BySeason = new Map<number, number>();
  for (const [i, block] of blocks.entries()) {
    const cutoff = Math.min(...block.map((p) => p.kickoff));
    const train = pairs.filter(
      (p) =>
        p.label !== null &&
        p.kickoff + 4 * MS_HOUR <= cutoff &&
        p.season >= block[0]!.season - opts.seasonsBack,
    );
    const season = block[0]!.season;
    const weeks = new Set(train.map((p) => `${p.season}-${p.week}`)).size;
    if (weeks < minTrainingWeeks(settings)) {
      const from = Math.max(FIRST_SEASON, season - opts.seasonsBack);
      throw new NflPredError(
        "NO_DATA",
        `backtest ${season} week ${block[0]!.week}: ${weeks} weeks of completed games before it to train on, at least ${minTrainingWeeks(settings)} needed`,
        {
          hint:
            from < season
              ? `build features for the seasons before it (build-features --seasons ${from}-${season - 1}), or start the backtest later`
              : `nothing precedes ${season}: start the backtest at a later season`,
        },
      );
    }
    const trainData = toTrainData(train, defs, opts.seasonWeights);
    if (opts.l2Grid && usesL2(settings.learner) && !l2BySeason.has(season)) {
      l2BySeason.set(season, chooseL2(trainData, settings, opts.l2Grid).l2);
    }
    const l2 = l2BySeason.get(season) ?? settings.l2;
    const outcome = trainCalibrated(trainData, { ...settings, l2 });
    const { names, data } = designMatrix(block, defs);
    const p = outcome.calibrator.apply(
      outcome.model.predict(createMatrix(block.length, names.length, data, names)),
    );
    const modelId = `${opts.runId}_${block[0]!.season}w${String(block[0]!.week).padStart(2, "0")}`;
    block.forEach((g, j) => {
      const game = gameById.get(g.gameId);
      const market = game
        ? (vigFreeHome(game.homeMoneyline, game.awayMoneyline) ??
          (game.spreadLine === null ? null : spreadToProbability(game.spreadLine)))
        : null;
      rows.push({
        gameId: g.gameId,
        season: g.season,
        week: g.week,
        // A pair without its schedule row cannot happen (pairs are built from schedules); REG is the safe side.
        phase: seasonPhase(g.week, game?.gameType ?? "REG"),
        label: g.label!,
        pModel: p[j]!,
        pElo: g.home.elo_prob_home ?? 0.5,
        pMarket: market,
        modelId,
      });
    });
    opts.onBlock?.(i + 1, blocks.length, `${block[0]!.season} wk ${block[0]!.week}`);
  }
  return rows;
}

/** Prediction blocks: each week (weekly retrain) or each season (retrain before the season). */
function groupBlocks(targets: readonly LabelledPair[], retrain: "weekly" | "seasonly"): LabelledPair[][] {
  const blocks = new Map<string, LabelledPair[]>();
  for (const p of targets) {
    const key = retrain === "weekly" ? `${p.season}-${String(p.week).padStart(2, "0")}` : String(p.season);
    const list = blocks.get(key) ?? [];
    list.push(p);
    blocks.set(key, list);
  }
  return [...blocks.keys()].sort().map((k) => blocks.get(k)!);
}
