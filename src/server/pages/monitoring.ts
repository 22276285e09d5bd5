import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { NflPredError } from "../../domain/index.ts";
import { type Setup, seasonAt } from "../common.ts";

export interface PsiRow {
  readonly feature: string;
  readonly psi: number | null;
  readonly threshold: number;
  readonly breached: boolean;
}

export interface MonitoringPage {
  readonly season: number | null;
  readonly week: number | null;
  /** Weeks with monitoring outputs, newest first. */
  readonly available: readonly { season: number; week: number }[];
  readonly dir: string | null;
  readonly psi: { readonly file: string; readonly rows: readonly PsiRow[]; readonly breached: number } | null;
  readonly decision: {
    readonly file: string;
    readonly retrain: boolean | null;
    readonly reasons: readonly string[];
    readonly checks: readonly DecisionCheck[];
    /** What `monitor` printed beside the decision (in-sample scores, PSI against noise, vanished inputs). */
    readonly notes: readonly string[];
    readonly raw: unknown;
  } | null;
  readonly files: readonly string[];
  readonly problems: readonly string[];
  readonly setup: Setup | null;
}

/** One check of the retrain decision (Brier, PSI, rule flags) as `monitor` records it. */
export interface DecisionCheck {
  readonly name: string;
  readonly status: string;
  readonly detail: string;
}

interface WeekDir {
  readonly season: number;
  readonly week: number;
  readonly path: string;
}

/** `season_S/week_WW` folders under the monitoring root, newest first; padding of the week is optional. */
export function findMonitoringWeeks(root: string): WeekDir[] {
  if (!existsSync(root)) return [];
  const out: WeekDir[] = [];
  for (const s of readdirSync(root, { withFileTypes: true })) {
    const sm = /^season_(\d{4})$/.exec(s.name);
    if (!sm || !s.isDirectory()) continue;
    for (const w of readdirSync(join(root, s.name), { withFileTypes: true })) {
      const wm = /^week_(\d{1,2})$/.exec(w.name);
      if (!wm || !w.isDirectory()) continue;
      out.push({ season: Number(sm[1]), week: Number(wm[1]), path: join(root, s.name, w.name) });
    }
  }
  return out.sort((a, b) => b.season - a.season || b.week - a.week);
}

/** Splits one CSV line, honouring double-quoted fields. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function truthy(v: string): boolean | null {
  const s = v.trim().toLowerCase();
  if (["true", "1", "yes", "t"].includes(s)) return true;
  if (["false", "0", "no", "f", ""].includes(s)) return false;
  return null;
}

/**
 * Reads a PSI summary (feature, psi, threshold, breached); a missing threshold falls back to the
 * configured one and a missing `breached` is psi >= threshold. Largest PSI first.
 */
export function parsePsiCsv(text: string, defaultThreshold: number): PsiRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.trim().toLowerCase());
  const at = (name: string) => header.indexOf(name);
  if (at("feature") < 0 || at("psi") < 0) {
    throw new NflPredError(
      "CONTRACT",
      `expected columns feature and psi, found ${header.join(", ") || "none"}`,
      {
        column: at("feature") < 0 ? "feature" : "psi",
      },
    );
  }
  return lines
    .slice(1)
    .map((line) => {
      const cells = splitCsvLine(line);
      const cell = (name: string) => (at(name) < 0 ? undefined : cells[at(name)]);
      const psiText = cell("psi")?.trim() ?? "";
      const psi = psiText === "" || Number.isNaN(Number(psiText)) ? null : Number(psiText);
      const thText = cell("threshold")?.trim();
      const threshold = thText && Number.isFinite(Number(thText)) ? Number(thText) : defaultThreshold;
      const flagged = cell("breached") === undefined ? null : truthy(cell("breached")!);
      return {
        feature: cell("feature")?.trim() ?? "",
        psi,
        threshold,
        breached: flagged ?? (psi !== null && psi >= threshold),
      };
    })
    .sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1));
}

/**
 * The retrain decision in whatever shape the monitor wrote it: a boolean under a usual name, a list of
 * reasons (strings, or objects with a message) and the checks ({status, detail} by name).
 */
export function readDecision(raw: unknown): {
  retrain: boolean | null;
  reasons: string[];
  checks: DecisionCheck[];
} {
  const obj = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const nested = [obj, obj.decision, obj.trigger, obj.retrain_trigger, obj.triggers].filter(
    (o): o is Record<string, unknown> => !!o && typeof o === "object" && !Array.isArray(o),
  );
  let retrain: boolean | null = null;
  let reasons: string[] = [];
  let checks: DecisionCheck[] = [];
  for (const o of nested) {
    const c = o.checks;
    if (checks.length === 0 && c && typeof c === "object" && !Array.isArray(c)) {
      checks = Object.entries(c as Record<string, unknown>).flatMap(([name, v]) => {
        const { status, detail } = (v && typeof v === "object" ? v : {}) as {
          status?: unknown;
          detail?: unknown;
        };
        return typeof status === "string"
          ? [{ name, status, detail: typeof detail === "string" ? detail : "" }]
          : [];
      });
    }
    for (const key of ["retrain", "should_retrain", "retrain_triggered", "triggered", "fire", "fired"]) {
      if (retrain === null && typeof o[key] === "boolean") retrain = o[key] as boolean;
    }
    for (const key of ["reasons", "trigger_reasons", "why"]) {
      const list = o[key];
      if (reasons.length === 0 && Array.isArray(list)) {
        reasons = list.map((r) =>
          typeof r === "string"
            ? r
            : r && typeof r === "object" && typeof (r as { message?: unknown }).message === "string"
              ? (r as { message: string }).message
              : JSON.stringify(r),
        );
      }
    }
  }
  return { retrain, reasons, checks };
}

/** The summary's `notes` (strings only; summaries written before they existed have none). */
export function readNotes(raw: unknown): string[] {
  const notes = raw && typeof raw === "object" ? (raw as { notes?: unknown }).notes : undefined;
  return Array.isArray(notes) ? notes.filter((n): n is string => typeof n === "string") : [];
}

/** GET /api/monitoring: the PSI table and retrain decision the `monitor` command wrote for a week. */
export function loadMonitoringPage(
  ref: { season: number; week: number } | undefined,
  ctx: { reportsDir: string; cwd: string; psiThreshold: number; now: number },
): MonitoringPage {
  const root = join(ctx.reportsDir, "monitoring");
  const weeks = findMonitoringWeeks(root);
  const available = weeks.map((w) => ({ season: w.season, week: w.week }));
  const shown = (p: string) => relative(ctx.cwd, p) || p;
  const chosen = ref ? weeks.find((w) => w.season === ref.season && w.week === ref.week) : weeks[0];
  if (!chosen) {
    const when = ref ?? { season: seasonAt(ctx.now), week: "<week>" };
    return {
      season: ref?.season ?? null,
      week: ref?.week ?? null,
      available,
      dir: null,
      psi: null,
      decision: null,
      files: [],
      problems: [],
      setup: {
        message: ref
          ? `No monitoring outputs for season ${ref.season} week ${ref.week} under ${shown(root)}.`
          : `No monitoring outputs under ${shown(root)} yet.`,
        commands: [`npx nfl-pred monitor --season ${when.season} --week ${when.week}`],
      },
    };
  }
  const files = readdirSync(chosen.path).sort();
  const problems: string[] = [];
  const find = (re: RegExp) => {
    const name = files.find((f) => {
      const m = re.exec(f);
      return m !== null && Number(m[1]) === chosen.season && Number(m[2]) === chosen.week;
    });
    return name === undefined ? undefined : join(chosen.path, name);
  };
  let psi: MonitoringPage["psi"] = null;
  const psiPath = find(/^psi_summary_s(\d{4})_w(\d{1,2})\.csv$/);
  if (psiPath) {
    try {
      const rows = parsePsiCsv(readFileSync(psiPath, "utf8"), ctx.psiThreshold);
      psi = { file: shown(psiPath), rows, breached: rows.filter((r) => r.breached).length };
    } catch (e) {
      problems.push(`${shown(psiPath)}: ${(e as Error).message}`);
    }
  } else problems.push(`no psi_summary_s${chosen.season}_w${chosen.week}.csv in ${shown(chosen.path)}`);
  let decision: MonitoringPage["decision"] = null;
  const jsonPath = find(/^monitoring_s(\d{4})_w(\d{1,2})\.json$/);
  if (jsonPath) {
    try {
      const raw = JSON.parse(readFileSync(jsonPath, "utf8")) as unknown;
      decision = { file: shown(jsonPath), ...readDecision(raw), notes: readNotes(raw), raw };
    } catch (e) {
      problems.push(`${shown(jsonPath)}: ${(e as Error).message}`);
    }
  } else problems.push(`no monitoring_s${chosen.season}_w${chosen.week}.json in ${shown(chosen.path)}`);
  return {
    season: chosen.season,
    week: chosen.week,
    available,
    dir: shown(chosen.path),
    psi,
    decision,
    files: files.map((f) => shown(join(chosen.path, f))),
    problems,
    setup: null,
  };
}
