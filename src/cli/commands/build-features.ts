import type { Command } from "commander";
import { MS_MINUTE, NflPredError, seasonArgs, seasonRanges } from "../../domain/index.ts";
import { buildFeatureRows, featureSetNames, findFeatureSet, type Target } from "../../features/index.ts";
import { type FeatureRecord, type WriteMode, writeFeatureRows } from "../../storage/index.ts";
import { parseInstant, parseList, parseSeasons } from "../args.ts";
import { buildOptions, historyNote, loadFeatureSources, missingResultsWarning } from "../feature-sources.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";

interface BuildFeaturesOptions extends CommonOptions {
  readonly seasons: string[];
  readonly featureSet?: string;
  readonly asofTs?: string;
  readonly snapshotAt?: string;
  readonly writeMode: string;
}

export function resolveFeatureSet(name: string) {
  const defs = findFeatureSet(name);
  if (!defs) {
    throw new NflPredError(
      "USAGE",
      `--feature-set: unknown feature set '${name}' (known: ${featureSetNames().join(", ")})`,
      {
        flag: "--feature-set",
        value: name,
      },
    );
  }
  return defs;
}

export function registerBuildFeatures(program: Command, rt: Runtime): void {
  program
    .command("build-features")
    .description("build point-in-time feature rows (each game as of its own T-60m, or as of --asof-ts)")
    .requiredOption("--seasons <seasons...>", "seasons, lists and ranges (e.g. 2024, 2015-2025)")
    .option("--feature-set <id>", "feature set (default from config: mvp_v1)")
    .option("--asof-ts <iso>", "build every game as of this instant (UTC)")
    .option("--snapshot-at <iso>", "snapshot key (default: the as-of time for backfills, now otherwise)")
    .option("--write-mode <mode>", "create | replace | append", "append")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: BuildFeaturesOptions) => {
      const cfg = configFor(rt, opts);
      const seasons = parseSeasons(opts.seasons, rt.now());
      const featureSet = opts.featureSet ?? cfg.features.feature_set;
      const defs = resolveFeatureSet(featureSet);
      const [mode] = parseList(opts.writeMode, ["create", "replace", "append"] as const, "--write-mode") as [
        WriteMode,
      ];
      const asOf = opts.asofTs === undefined ? undefined : parseInstant(opts.asofTs, "--asof-ts");
      const snapshotFlag =
        opts.snapshotAt === undefined ? undefined : parseInstant(opts.snapshotAt, "--snapshot-at");
      const now = rt.now();
      const result = await withDatabase(cfg, async (db) => {
        const sources = await loadFeatureSources(db, seasons);
        const wanted = new Set(seasons);
        const games = sources.games.filter((g) => wanted.has(g.season));
        const missing = seasons.filter((s) => !games.some((g) => g.season === s));
        if (missing.length > 0) {
          throw new NflPredError("NO_DATA", `no schedules for season(s) ${seasonRanges(missing)}`, {
            flag: "--seasons",
            hint: `run \`npx nfl-pred ingest --seasons ${seasonArgs(missing)} --datasets schedules\` first`,
          });
        }
        const targets: Target[] = games.map((g) => ({
          gameId: g.gameId,
          asOf: asOf ?? g.kickoff - 60 * MS_MINUTE,
        }));
        const names = defs.map((d) => d.name);
        const started = Date.now();
        const rows = buildFeatureRows(sources, targets, buildOptions(cfg, names));
        rt.log.debug({ rows: rows.length, ms: Date.now() - started }, "features built");
        const records: FeatureRecord[] = rows.map((r) => ({
          ...r,
          snapshotAt: snapshotFlag ?? (asOf === undefined ? r.asOf : now),
          stage: asOf === undefined ? "T-60m" : null,
          label:
            asOf === undefined ||
            r.kickoff + cfg.features.visibility.post_game_delay_minutes * MS_MINUTE <= asOf
              ? r.label
              : null,
        }));
        const written = await writeFeatureRows(db, records, {
          featureSet,
          features: names,
          mode,
          builtAt: now,
        });
        // The newest instant these rows are built as of (never past now): results due by then should be stored.
        const newest = Math.min(now, Math.max(...targets.map((t) => t.asOf)));
        return {
          written,
          history: historyNote(sources),
          stale: missingResultsWarning(sources.games, newest, cfg),
          ahead: targets.filter((t) => t.asOf > now).length,
        };
      });
      rt.out(`Persisted ${result.written} feature rows for seasons: ${seasonRanges(seasons)}`);
      rt.out(result.history);
      if (result.stale) rt.out(result.stale);
      if (result.ahead > 0) {
        rt.out(
          `note: ${result.ahead} game(s) are built as of an instant still ahead, from what is known now: an early ` +
            "look. The snapshot ladder rebuilds them at their stages; train and backtest warn if one is used unrebuilt.",
        );
      }
    });
}
