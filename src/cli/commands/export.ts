import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import { writeAtomic } from "../../registry/index.ts";
import { STAGES } from "../../snapshot/index.ts";
import { parseInteger, parseList, seasonOf } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { toCsv } from "../table.ts";

interface ExportOptions extends CommonOptions {
  readonly season: string;
  readonly week: string;
  readonly stage: string;
  readonly format: string;
  readonly out?: string;
  readonly includeRehearsals?: boolean;
}

/** `T-60m` → `T-60` as in the runbook's file names. */
function stageTag(stage: string): string {
  return stage.replace(/m$/, "");
}

export function registerExport(program: Command, rt: Runtime): void {
  program
    .command("export")
    .description("export a week's predictions of one stage for distribution (CSV or JSON)")
    .requiredOption("--season <n>", "season")
    .requiredOption("--week <n>", "week (1-22)")
    .option("--stage <stage>", `ladder stage: ${STAGES.map((s) => s.name).join(", ")}`, "T-60m")
    .option("--format <format>", "csv | json", "csv")
    .option("--out <path>", "output file (default exports/predictions_s<S>_w<W>_<stage>.<format>)")
    .option(
      "--include-rehearsals",
      "also export games whose only prediction of the stage is a rehearsal (stored ahead of the stage's time)",
    )
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: ExportOptions) => {
      const cfg = configFor(rt, opts);
      const season = parseInteger(opts.season, "--season", 1999, seasonOf(rt.now()) + 1);
      const week = parseInteger(opts.week, "--week", 1, 22);
      const [stage] = parseList(
        opts.stage,
        STAGES.map((s) => s.name),
        "--stage",
      );
      const [format] = parseList(opts.format, ["csv", "json"] as const, "--format");
      const offsetMs = STAGES.find((s) => s.name === stage)!.offsetMs;
      // Per game, the latest prediction stored under the stage's own time; a rehearsal (stored ahead of it,
      // under the instant it ran) only where no scheduled run exists.
      const all = await withDatabase(cfg, (db) =>
        db.all(
          `SELECT season, week, game_id, home_team, away_team, kickoff_utc, p_home_win, p_away_win, pick, tier,
                  model_id, feature_set, stage, snapshot_at, asof_ts, reasons,
                  epoch_ms(snapshot_at) < epoch_ms(kickoff_utc) - ? AS rehearsal
           FROM predictions WHERE season = ? AND week = ? AND stage = ?
           QUALIFY row_number() OVER (PARTITION BY game_id
             ORDER BY epoch_ms(snapshot_at) < epoch_ms(kickoff_utc) - ?, snapshot_at DESC, created_at DESC) = 1
           ORDER BY kickoff_utc, game_id`,
          [offsetMs, season, week, stage!, offsetMs],
        ),
      );
      for (const r of all) {
        if (typeof r.reasons === "string") r.reasons = JSON.stringify(JSON.parse(r.reasons));
      }
      const rehearsals = all.filter((r) => r.rehearsal === true);
      const rows = opts.includeRehearsals ? all : all.filter((r) => r.rehearsal !== true);
      const finalFix = `run \`npx nfl-pred snapshot --season ${season} --week ${week} --final-only\` at the stage's time`;
      if (rows.length === 0) {
        throw new NflPredError(
          "NO_DATA",
          rehearsals.length > 0
            ? `no ${stage} predictions for season ${season} week ${week} except ${describeRehearsals(rehearsals, stage!)}`
            : `no ${stage} predictions for season ${season} week ${week}`,
          {
            hint:
              rehearsals.length > 0
                ? `${finalFix}, or pass --include-rehearsals to export the rehearsals`
                : `run \`npx nfl-pred snapshot --season ${season} --week ${week} --final-only\` first`,
          },
        );
      }
      const out = resolve(
        rt.cwd,
        opts.out ?? `${cfg.paths.exports_dir}/predictions_s${season}_w${week}_${stageTag(stage!)}.${format}`,
      );
      mkdirSync(dirname(out), { recursive: true });
      writeAtomic(out, format === "json" ? `${JSON.stringify(rows, null, 2)}\n` : toCsv(rows));
      rt.out(`Exported ${rows.length} ${stage} predictions for season ${season} week ${week} to ${out}`);
      if (rehearsals.length > 0 && opts.includeRehearsals) {
        rt.out(`note: ${describeRehearsals(rehearsals, stage!)} included (column rehearsal = true)`);
      } else if (rehearsals.length > 0) {
        rt.out(
          `note: left out ${describeRehearsals(rehearsals, stage!)}; ${finalFix}, or pass --include-rehearsals`,
        );
      }
    });
}

/** `2 rehearsals stored ahead of T-60m (2024_08_DEN_NO at 2024-10-17T12:00:00.000Z, …)`. */
function describeRehearsals(rows: readonly Record<string, unknown>[], stage: string): string {
  const shown = rows
    .slice(0, 3)
    .map((r) => `${r.game_id} at ${new Date(String(r.snapshot_at)).toISOString()}`);
  const more = rows.length > 3 ? `, and ${rows.length - 3} more` : "";
  return `${rows.length} rehearsal${rows.length === 1 ? "" : "s"} stored ahead of ${stage} (${shown.join(", ")}${more})`;
}
