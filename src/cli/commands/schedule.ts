import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import { GAMES_SQL, normalizeGame } from "../../features/index.ts";
import { STAGES } from "../../snapshot/index.ts";
import { parseInteger, seasonOf } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { formatTable } from "../table.ts";
import { formatEt, formatUtc } from "../time.ts";

interface ScheduleOptions extends CommonOptions {
  readonly season: string;
  readonly week: string;
}

export function registerSchedule(program: Command, rt: Runtime): void {
  program
    .command("schedule")
    .description("print a week's games with kickoff in ET and UTC and each snapshot stage's UTC time")
    .requiredOption("--season <n>", "season")
    .requiredOption("--week <n>", "week (1-22)")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: ScheduleOptions) => {
      const cfg = configFor(rt, opts);
      const season = parseInteger(opts.season, "--season", 1999, seasonOf(rt.now()) + 1);
      const week = parseInteger(opts.week, "--week", 1, 22);
      const games = await withDatabase(cfg, async (db) =>
        (await db.all(`SELECT * FROM (${GAMES_SQL}) WHERE season = ? AND week = ?`, [season, week])).map(
          normalizeGame,
        ),
      );
      if (games.length === 0) {
        throw new NflPredError("NO_DATA", `no games for season ${season} week ${week}`, {
          hint: `run \`npx nfl-pred ingest --seasons ${season} --datasets schedules\` first`,
        });
      }
      rt.out(
        formatTable(
          games.map((g) => ({
            game_id: g.gameId,
            matchup: `${g.awayTeam} @ ${g.homeTeam}${g.neutralSite ? " (neutral)" : ""}`,
            kickoff_et: formatEt(g.kickoff),
            kickoff_utc: formatUtc(g.kickoff),
            ...Object.fromEntries(
              STAGES.map((s) => [s.name, formatUtc(g.kickoff - s.offsetMs).slice(5, 16)]),
            ),
          })),
        ),
      );
      rt.out("Stage columns are UTC (MM-DDTHH:MM). Use the kickoff_utc value with `snapshot --at`.");
    });
}
