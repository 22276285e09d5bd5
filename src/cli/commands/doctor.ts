import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { type Config, defaultRawConfig } from "../../config/index.ts";
import { isNflPredError, NflPredError } from "../../domain/index.ts";
import { GAMES_SQL, normalizeGame, RESULTS_LOOKBACK_MS } from "../../features/index.ts";
import {
  type DoctorCheck,
  type FinalStageRun,
  HOUR_MS,
  judgeAge,
  judgeFinalSnapshot,
  listBackups,
  readArtifact,
  readHygieneRecord,
  readIntent,
  readModelLinks,
  verifyBackup,
} from "../../registry/index.ts";
import { type Database, openDatabase, SCHEMA_VERSION } from "../../storage/index.ts";
import { describeMissingResults } from "../feature-sources.ts";
import { type CommonOptions, configFor, type Runtime } from "../runtime.ts";
import { formatTable } from "../table.ts";

function fallbackConfig(cwd: string): Config {
  const raw = defaultRawConfig();
  const paths = Object.fromEntries(
    Object.entries(raw.paths).map(([k, v]) => [k, isAbsolute(v) ? v : resolve(cwd, v)]),
  ) as Config["paths"];
  return { ...raw, paths, source: "built-in defaults", cwd };
}

function newestFileMtime(dir: string): number | undefined {
  if (!existsSync(dir)) return undefined;
  let newest: number | undefined;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name.includes(".tmp")) continue;
    const t = statSync(join(e.parentPath ?? (e as { path?: string }).path ?? dir, e.name)).mtimeMs;
    if (newest === undefined || t > newest) newest = t;
  }
  return newest;
}

async function checkDatabase(cfg: Config): Promise<{ check: DoctorCheck; db: Database | null }> {
  const name = "database readable, not locked";
  const path = cfg.paths.duckdb_path;
  if (!existsSync(path)) {
    return {
      check: {
        name,
        ok: false,
        detail: `${path} does not exist`,
        fix: "npx nfl-pred ingest --seasons <seasons>",
      },
      db: null,
    };
  }
  let db: Database;
  try {
    db = await openDatabase(path, { readOnly: true, lockWaitMs: 0, threads: cfg.storage.threads });
  } catch (e) {
    const locked = isNflPredError(e) && e.code === "LOCKED";
    return {
      check: {
        name,
        ok: false,
        detail: (e as Error).message.split("\n")[0] ?? String(e),
        fix: locked
          ? ((e as NflPredError).hint ?? "wait for the other process to finish")
          : "restore the latest backup: npx nfl-pred restore backups/<latest>.duckdb",
      },
      db: null,
    };
  }
  try {
    const v = (await db.tableExists("schema_version"))
      ? ((await db.one<{ v: number | null }>("SELECT max(version) AS v FROM schema_version"))?.v ?? 0)
      : 0;
    if (v > SCHEMA_VERSION) {
      return {
        check: {
          name,
          ok: false,
          detail: `schema version ${v} is newer than this nfl-pred (${SCHEMA_VERSION})`,
          fix: "upgrade nfl-pred, or restore a backup made by this version (npx nfl-pred restore PATH)",
        },
        db,
      };
    }
    const pending = SCHEMA_VERSION - v;
    return {
      check: {
        name,
        ok: true,
        detail: `${path}: schema version ${v}${pending > 0 ? ` (${pending} migration(s) pending; the next write command applies them)` : ""}`,
        fix: "",
      },
      db,
    };
  } catch (e) {
    db.close();
    return {
      check: {
        name,
        ok: false,
        detail: (e as Error).message.split("\n")[0] ?? String(e),
        fix: "restore the latest backup: npx nfl-pred restore backups/<latest>.duckdb",
      },
      db: null,
    };
  }
}

function checkCurrentModel(cfg: Config): DoctorCheck {
  const name = "current model link valid, hash right";
  const dir = cfg.paths.models_dir;
  if (readIntent(dir)) {
    return {
      name,
      ok: false,
      detail: "an interrupted promotion or rollback is pending",
      fix: "npx nfl-pred promote --resume",
    };
  }
  const { current } = readModelLinks(dir);
  if (!current.present) {
    return {
      name,
      ok: false,
      detail: `no ${current.path} (no promoted model)`,
      fix: "npx nfl-pred models, then npx nfl-pred promote --model-id <id>",
    };
  }
  if (current.dangling) {
    return {
      name,
      ok: false,
      detail: `data/models/current points to a missing artifact (${current.target ?? "?"})`,
      fix: "npx nfl-pred rollback",
    };
  }
  try {
    const a = readArtifact(current.path);
    return {
      name,
      ok: true,
      detail: `current → ${a.artifact.modelId} (sha256 ${a.sha256.slice(0, 12)}… ok)`,
      fix: "",
    };
  } catch (e) {
    return {
      name,
      ok: false,
      detail: (e as Error).message,
      fix: "npx nfl-pred rollback (then retrain or restore the artifact)",
    };
  }
}

async function checkBackup(cfg: Config, now: number): Promise<DoctorCheck> {
  const name = "backup within 24 h";
  const latest = listBackups(cfg.paths.backups_dir)[0];
  const fix = "npx nfl-pred backup (schedule it daily)";
  if (!latest) {
    return { name, ok: false, detail: `no backup in ${cfg.paths.backups_dir}`, fix };
  }
  try {
    await verifyBackup(latest.path);
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message, fix };
  }
  return judgeAge({
    name,
    what: `latest ${latest.name}, checksum ok, taken`,
    last: latest.takenAt,
    now,
    maxAgeMs: 24 * HOUR_MS,
    fix,
    missing: "",
  });
}

async function checkFinalSnapshot(db: Database | null, now: number): Promise<DoctorCheck> {
  if (db === null) {
    return {
      name: "final snapshot within 60 min of kickoff",
      ok: false,
      detail: "database unavailable (see above)",
      fix: "fix the database check first",
    };
  }
  if (!(await db.tableExists("audit")) || !(await db.tableExists("schedules")))
    return judgeFinalSnapshot([], now);
  const rows = await db.all<{ season: number; week: number; snap: number; created: number }>(
    `SELECT a.season, a.week, epoch_ms(a.snapshot_at) AS snap, epoch_ms(a.created_at) AS created
     FROM audit a
     WHERE a.command = 'snapshot' AND a.stage = 'T-60m' AND a.snapshot_at IS NOT NULL
       AND EXISTS (SELECT 1 FROM schedules s WHERE s.season = a.season AND s.week = a.week
                   AND s.kickoff_utc = a.snapshot_at + INTERVAL 60 MINUTE)`,
  );
  const runs: FinalStageRun[] = rows.map((r) => ({
    season: r.season,
    week: r.week,
    snapshotAt: r.snap,
    executedAt: r.created,
  }));
  return judgeFinalSnapshot(runs, now);
}

const RESULTS_DAYS = Math.round(RESULTS_LOOKBACK_MS / (24 * HOUR_MS));

async function checkResults(db: Database | null, cfg: Config, now: number): Promise<DoctorCheck> {
  const name = "results stored for games played";
  if (db === null) {
    return {
      name,
      ok: false,
      detail: "database unavailable (see above)",
      fix: "fix the database check first",
    };
  }
  const fix = "npx nfl-pred ingest --seasons <current> --datasets schedules";
  if (!(await db.tableExists("schedules"))) {
    return { name, ok: false, detail: "no schedules stored", fix };
  }
  const missing = describeMissingResults((await db.all(GAMES_SQL)).map(normalizeGame), now, cfg);
  return missing
    ? { name, ok: false, ...missing }
    : {
        name,
        ok: true,
        detail: `every game of the last ${RESULTS_DAYS} days that has ended has its score`,
        fix: "",
      };
}

export function registerDoctor(program: Command, rt: Runtime): void {
  program
    .command("doctor")
    .description(
      "the runbook's Validation Checklist: backups, monitoring, hygiene, final snapshot, database, model, config",
    )
    .option("--json", "print the checks as JSON")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
Checks: config valid; database opens read-only, is not locked and is no newer than this nfl-pred;
data/models/current resolves and matches its sha256; the newest backup in <backups_dir> verifies and is
under 24 h old (its time is the one in its name); a file under <reports_dir>/monitoring/ changed in the
last 48 h; mlflow-hygiene ran (dry or not) in the last 7 days; the latest kickoff slot with a scheduled
T-60m stage ran it between kickoff − 60 min and kickoff (runs recorded ahead of now, by snapshot --now,
do not count); every game that kicked off in the last ${RESULTS_DAYS} days and has ended (kickoff + the
post-game delay) has its score stored. Exit 0 only when every check passes, else 1.`,
    )
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      const now = rt.now();
      const checks: DoctorCheck[] = [];
      let cfg: Config;
      try {
        cfg = configFor(rt, opts);
        checks.push({ name: "config valid", ok: true, detail: cfg.source, fix: "" });
      } catch (e) {
        cfg = fallbackConfig(rt.cwd);
        checks.push({
          name: "config valid",
          ok: false,
          detail: (e as Error).message,
          fix:
            isNflPredError(e) && e.hint
              ? e.hint
              : "fix the file and key named above (see configs/default.yaml)",
        });
      }
      const { check: dbCheck, db } = await checkDatabase(cfg);
      checks.push(dbCheck);
      try {
        checks.push(checkCurrentModel(cfg));
        checks.push(await checkBackup(cfg, now));
        checks.push(
          judgeAge({
            name: "monitoring artifacts within 48 h",
            what: `newest file in ${relative(rt.cwd, join(cfg.paths.reports_dir, "monitoring")) || "."} written`,
            last: newestFileMtime(join(cfg.paths.reports_dir, "monitoring")),
            now,
            maxAgeMs: 48 * HOUR_MS,
            fix: "npx nfl-pred monitor --season S --week W",
            missing: `nothing under ${join(cfg.paths.reports_dir, "monitoring")}`,
          }),
        );
        const hygiene = readHygieneRecord(cfg.paths.data_dir);
        checks.push(
          judgeAge({
            name: "mlflow-hygiene within 7 days",
            what: `last run (${hygiene?.dry_run ? "dry run" : "applied"})`,
            last: hygiene ? Date.parse(hygiene.ran_at) : undefined,
            now,
            maxAgeMs: 7 * 24 * HOUR_MS,
            fix: "npx nfl-pred mlflow-hygiene --dry-run (then --no-dry-run to apply)",
            missing: "mlflow-hygiene has never run here",
          }),
        );
        checks.push(await checkFinalSnapshot(db, now));
        checks.push(await checkResults(db, cfg, now));
      } finally {
        db?.close();
      }
      const failed = checks.filter((c) => !c.ok);
      if (opts.json) {
        rt.out(
          JSON.stringify(
            { ok: failed.length === 0, checked_at: new Date(now).toISOString(), checks },
            null,
            2,
          ),
        );
      } else {
        rt.out(
          formatTable(
            checks.map((c) => ({
              check: c.name,
              status: c.ok ? "pass" : "FAIL",
              detail: c.detail,
              fix: c.fix,
            })),
          ),
        );
        rt.out(`${checks.length - failed.length} of ${checks.length} checks passed.`);
      }
      if (failed.length > 0) {
        throw new NflPredError("INTEGRITY", `${failed.length} of ${checks.length} doctor checks failed`, {
          exitCode: 1,
        });
      }
    });
}
