import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import type { Config } from "../../config/index.ts";
import { NflPredError } from "../../domain/index.ts";
import {
  type AlertChannel,
  type AlertLedger,
  buildMonitoringAlert,
  type ChannelOutcome,
  computeFeatureDrift,
  evaluateRetrainTriggers,
  expectedNoisePsi,
  type FeatureDrift,
  findAlertTargets,
  flagsForSeason,
  normalizeRuleFlags,
  type RetrainDecision,
  RULE_FLAGS_PATH,
  sendAlert,
  vanishedFeatures,
} from "../../monitor/index.ts";
import { artifactPath, readArtifact, writeAtomic } from "../../registry/index.ts";
import {
  type Baseline,
  buildReliabilityTable,
  buildReportMetrics,
  buildWeeklySeries,
  findBaselineBrier,
  type GameOutcome,
  type WeeklyPoint,
  type WindowMetrics,
} from "../../report/index.ts";
import {
  type Database,
  isAlertSent,
  loadScoredPredictions,
  loadT60FeatureValues,
  recordAlertSent,
} from "../../storage/index.ts";
import { parseInteger, parseList, seasonOf } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { formatTable, toCsv } from "../table.ts";
import { resolveFeatureSet } from "./build-features.ts";
import { findPreferredModelId, formatWeeks, inSampleNotes, round6, toOutcomes } from "./report.ts";

const PACKAGE_ROOT = new URL("../../../", import.meta.url);
export const REFERENCE_WINDOWS = ["previous_season_plus_earlier_weeks", "previous_season"] as const;
type ReferenceWindow = (typeof REFERENCE_WINDOWS)[number];

export interface AssessOptions extends CommonOptions {
  readonly season: string;
  readonly week: string;
  readonly featureSet?: string;
  readonly reference?: string;
  readonly bins?: string;
  readonly baselineBrier?: string;
  readonly baselineWeeks?: string;
  readonly ruleFlags?: string;
}

interface RuleFlagInputs {
  readonly file: string;
  readonly previousSeason: number;
  /** Why that season: the model's last training season, or the season before. */
  readonly previousFrom: string;
  readonly previous: Record<string, boolean>;
  readonly current: Record<string, boolean>;
}

/** Everything monitor and triggers derive for one season-week. */
export interface WeekAssessment {
  readonly season: number;
  readonly week: number;
  readonly featureSet: string;
  readonly reference: {
    readonly window: ReferenceWindow;
    readonly description: string;
    readonly rows: number;
  };
  readonly currentRows: number;
  readonly bins: number;
  readonly drift: readonly FeatureDrift[];
  /** Monitored features the features table has no column for. */
  readonly missingFeatures: readonly string[];
  /** Monitored features null in every current row but present in the reference, with their groups. */
  readonly vanished: { readonly features: readonly string[]; readonly groups: readonly string[] };
  readonly series: readonly WeeklyPoint[];
  readonly windows: readonly WindowMetrics[];
  readonly outcomes: readonly GameOutcome[];
  readonly baseline: Baseline | undefined;
  readonly modelIds: readonly string[];
  /** Notes on scored games that a model saw in training (see `inSampleNotes`). */
  readonly inSample: readonly string[];
  readonly ruleFlags: RuleFlagInputs;
  readonly decision: RetrainDecision;
}

export function registerAssessOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--season <n>", "season")
    .requiredOption("--week <n>", "week (1-22)")
    .option(
      "--feature-set <id>",
      "feature set whose monitored features get PSI (default: config features.feature_set)",
    )
    .option(
      "--reference <window>",
      `PSI reference: ${REFERENCE_WINDOWS.join(" | ")} (default: config monitoring.reference)`,
    )
    .option("--bins <n>", "reference-quantile bins for PSI (plus a null bin)", "10")
    .option("--baseline-brier <x>", "compare the rolling Brier with this baseline instead of the default one")
    .option("--baseline-weeks <n>", "the default baseline is the season-to-date Brier of weeks 1..n", "3")
    .option(
      "--rule-flags <path>",
      `rule-flag file (default <data_dir>/ref/rule_flags.yml, else the shipped ${RULE_FLAGS_PATH})`,
    )
    .option("--config <path>", "config file (default ./configs/default.yaml)");
}

export const BASELINE_HELP = `
Retrain triggers (thresholds from monitoring.retrain_triggers; any one fires):
  - Brier: the rolling Brier of the last rolling_weeks (4) weeks played (all their games) is at least
    brier_deterioration_pct (10) % worse than the baseline. Baseline: the season-to-date Brier of this
    season's weeks 1..--baseline-weeks (3) once the season is past them (the runbook's metrics_s<S>_w3.csv),
    before that the previous season's season-to-date Brier; --baseline-brier overrides it. Fewer weeks
    played than rolling_weeks: the check says "not enough weeks" and does not fire.
  - PSI: at least psi_feature_count (5) monitored features with PSI >= psi_threshold (0.2) in the week.
  - Rule flags: a flag of data/ref/rule_flags.yml that differs between the model's last training season
    (else the previous season) and this season.`;

function parseReference(value: string | undefined, cfg: Config): ReferenceWindow {
  if (value === undefined) return cfg.monitoring.reference;
  return parseList(value, REFERENCE_WINDOWS, "--reference")[0] ?? cfg.monitoring.reference;
}

function readRuleFlagsFile(cfg: Config, rt: Runtime, explicit: string | undefined) {
  const candidates = explicit
    ? [resolve(rt.cwd, explicit)]
    : [join(cfg.paths.data_dir, "ref", "rule_flags.yml"), new URL(RULE_FLAGS_PATH, PACKAGE_ROOT).pathname];
  const file = candidates.find((c) => existsSync(c));
  if (!file) {
    throw new NflPredError("NOT_FOUND", `rule-flag file not found: ${candidates.join(" or ")}`, {
      file: candidates[0],
      flag: explicit ? "--rule-flags" : undefined,
      hint: "create it (see docs/monitoring.md) or pass --rule-flags PATH",
    });
  }
  return { file, table: normalizeRuleFlags(readFileSync(file, "utf8"), file) };
}

/** The newest season the model that scored most of this season's games was trained on, when its artifact is here. */
function findModelTrainingSeason(modelsDir: string, modelIds: readonly string[]): number | undefined {
  for (const id of modelIds) {
    const path = artifactPath(modelsDir, id);
    if (!existsSync(path)) continue;
    const seasons = readArtifact(path).artifact.trainingWindow?.seasons ?? [];
    if (seasons.length > 0) return Math.max(...seasons);
  }
  return undefined;
}

/**
 * PSI of the week's T-60m feature rows against the reference, the weekly metric history and the retrain
 * decision, read from the database (and the rule-flag file and model artifacts). Writes nothing.
 */
export async function assessWeek(
  rt: Runtime,
  cfg: Config,
  db: Database,
  opts: AssessOptions,
): Promise<WeekAssessment> {
  const season = parseInteger(opts.season, "--season", 1999, seasonOf(rt.now()) + 1);
  const week = parseInteger(opts.week, "--week", 1, 22);
  const bins = parseInteger(opts.bins ?? "10", "--bins", 2, 50);
  const baselineWeeks = parseInteger(opts.baselineWeeks ?? "3", "--baseline-weeks", 1, 21);
  const explicitBaseline = opts.baselineBrier === undefined ? undefined : Number(opts.baselineBrier);
  if (explicitBaseline !== undefined && !(explicitBaseline > 0 && explicitBaseline < 1)) {
    throw new NflPredError(
      "USAGE",
      `--baseline-brier: expected a number in (0, 1), got '${opts.baselineBrier}'`,
      {
        flag: "--baseline-brier",
        value: String(opts.baselineBrier),
      },
    );
  }
  const featureSet = opts.featureSet ?? cfg.features.feature_set;
  const monitoredDefs = resolveFeatureSet(featureSet).filter((d) => d.monitored);
  const monitored = monitoredDefs.map((d) => d.name);
  const referenceWindow = parseReference(opts.reference, cfg);
  const flags = readRuleFlagsFile(cfg, rt, opts.ruleFlags);

  const current = await loadT60FeatureValues(db, featureSet, monitored, [
    { season, fromWeek: week, toWeek: week },
  ]);
  if (current.rows.length === 0) {
    throw new NflPredError(
      "NO_DATA",
      `no T-60m feature rows for season ${season} week ${week} (feature set ${featureSet})`,
      {
        hint: `run \`npx nfl-pred snapshot --season ${season} --week ${week} --feature-set ${featureSet}\` or \`npx nfl-pred build-features --seasons ${season} --feature-set ${featureSet}\``,
      },
    );
  }
  const refRanges = [{ season: season - 1, fromWeek: 1, toWeek: 22 }];
  if (referenceWindow === "previous_season_plus_earlier_weeks" && week > 1) {
    refRanges.push({ season, fromWeek: 1, toWeek: week - 1 });
  }
  const reference = await loadT60FeatureValues(db, featureSet, monitored, refRanges);
  const refDescription =
    refRanges.length > 1
      ? `season ${season - 1} and season ${season} weeks 1-${week - 1}`
      : `season ${season - 1}`;
  if (reference.rows.length === 0) {
    throw new NflPredError("NO_DATA", `no T-60m feature rows in the PSI reference (${refDescription})`, {
      hint: `build them with \`npx nfl-pred build-features --seasons ${season - 1}-${season}\``,
    });
  }
  const drift = computeFeatureDrift(current.present, reference.rows, current.rows, {
    threshold: cfg.monitoring.psi_threshold,
    bins,
  });
  const vanished = vanishedFeatures(drift).map((d) => d.feature);

  const preds = await loadScoredPredictions(
    db,
    [season - 1, season],
    findPreferredModelId(cfg.paths.models_dir),
  );
  const outcomes = toOutcomes(preds);
  const rollingWeeks = cfg.monitoring.retrain_triggers.rolling_weeks;
  const series = buildWeeklySeries(outcomes, season, week, rollingWeeks);
  const windows = buildReportMetrics(outcomes, season, week, { rollingWeeks }).filter(
    (m) => m.segment === "all",
  );
  const baseline: Baseline | undefined =
    explicitBaseline === undefined
      ? findBaselineBrier(outcomes, season, week, baselineWeeks)
      : { brier: explicitBaseline, n: 0, source: "--baseline-brier" };

  const counts = new Map<string, number>();
  for (const p of preds)
    if (p.season === season && p.week <= week) counts.set(p.modelId, (counts.get(p.modelId) ?? 0) + 1);
  const modelIds = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const trained = findModelTrainingSeason(cfg.paths.models_dir, modelIds);
  const previousSeason = trained !== undefined && trained < season ? trained : season - 1;
  const ruleFlags: RuleFlagInputs = {
    file: flags.file,
    previousSeason,
    previousFrom:
      trained !== undefined && trained < season
        ? `the model's last training season ${trained}`
        : trained !== undefined
          ? `the season before (the model already saw season ${trained})`
          : "the season before",
    previous: flagsForSeason(flags.table, previousSeason),
    current: flagsForSeason(flags.table, season),
  };
  const t = cfg.monitoring.retrain_triggers;
  const decision = evaluateRetrainTriggers({
    recentBrierScores: series.map((p) => p.weekly.brierScore),
    recentGameCounts: series.map((p) => p.weekly.n),
    baselineBrier: baseline?.brier ?? null,
    psiSummary: drift,
    previousRuleFlags: ruleFlags.previous,
    currentRuleFlags: ruleFlags.current,
    config: {
      brierDeteriorationPct: t.brier_deterioration_pct,
      psiFeatureCount: t.psi_feature_count,
      psiThreshold: t.psi_threshold,
      rollingWeeks: t.rolling_weeks,
    },
  });
  return {
    season,
    week,
    featureSet,
    reference: { window: referenceWindow, description: refDescription, rows: reference.rows.length },
    currentRows: current.rows.length,
    bins,
    drift,
    missingFeatures: monitored.filter((f) => !current.present.includes(f)),
    vanished: {
      features: vanished,
      groups: [...new Set(monitoredDefs.filter((d) => vanished.includes(d.name)).map((d) => d.group))],
    },
    series,
    windows,
    outcomes,
    baseline,
    modelIds,
    inSample: inSampleNotes(
      preds.filter((p) => p.season === season && p.week <= week && p.label !== null),
      cfg.paths.models_dir,
    ),
    ruleFlags,
    decision,
  };
}

/**
 * How to read the PSI table: how many features breach against what sampling noise alone gives with this
 * few rows, and which features vanished (missing source data, not drift). Printed, and kept in the
 * summary JSON for the dashboard.
 */
function psiNotes(a: WeekAssessment, threshold: number): string[] {
  const breached = a.drift.filter((d) => d.breached);
  const out = [
    `${breached.length} of ${a.drift.length} monitored features breach PSI ${threshold} ` +
      `(sampling noise alone gives about ${expectedNoisePsi(a.bins, a.reference.rows, a.currentRows).toFixed(2)} ` +
      `with ${a.currentRows} current rows and ${a.bins} bins).`,
  ];
  if (a.vanished.features.length > 0) {
    const n = a.vanished.features.length;
    out.push(
      `${n} monitored feature${n === 1 ? " is" : "s are"} null in every current row but present in the ` +
        `reference (groups: ${a.vanished.groups.join(", ")}): ${a.vanished.features.join(", ")}. ` +
        "The week's source data is missing rather than drifted: check that season " +
        `${a.season} was ingested for those datasets (npx nfl-pred ingest --seasons ${a.season}).`,
    );
  }
  return out;
}

/** The decision and its checks as printed lines. */
export function decisionLines(a: WeekAssessment): string[] {
  const c = a.decision.checks;
  const mark = (s: string) => (s === "fired" ? "FIRED" : s === "ok" ? "ok" : "n/a");
  return [
    `Retrain decision for season ${a.season} week ${a.week}: ${a.decision.triggered ? "RETRAIN TRIGGERED" : "no retrain"}`,
    `  [${mark(c.brier.status)}] Brier: ${c.brier.detail}${a.baseline ? `; baseline from ${a.baseline.source}${a.baseline.n > 0 ? ` (${a.baseline.n} games)` : ""}` : ""}`,
    `  [${mark(c.psi.status)}] PSI: ${c.psi.detail}`,
    `  [${mark(c.ruleFlags.status)}] Rule flags (${a.ruleFlags.previousSeason} vs ${a.season}, ${a.ruleFlags.previousFrom}): ${c.ruleFlags.detail}`,
  ];
}

interface MonitorOptions extends AssessOptions {
  readonly alert: boolean;
}

function metricsRecord(
  season: number,
  window: string,
  week: number,
  weeks: string,
  m: {
    brierScore: number;
    logLoss: number;
    accuracy: number;
    ece: number;
    n: number;
  },
) {
  return {
    season,
    week,
    metric_window: window,
    weeks,
    brier_score: round6(m.brierScore),
    log_loss: round6(m.logLoss),
    accuracy: round6(m.accuracy),
    ece: round6(m.ece),
    n: m.n,
  };
}

const EXPANDED_COLUMNS = [
  "season",
  "week",
  "metric_window",
  "weeks",
  "brier_score",
  "log_loss",
  "accuracy",
  "ece",
  "n",
];
const PSI_COLUMNS = [
  "feature",
  "psi",
  "threshold",
  "breached",
  "reference_n",
  "current_n",
  "reference_null_share",
  "current_null_share",
];
const PSI_BIN_COLUMNS = [
  "feature",
  "bin",
  "label",
  "lower",
  "upper",
  "ref_count",
  "cur_count",
  "ref_prop",
  "cur_prop",
  "contribution",
];

export function registerMonitor(program: Command, rt: Runtime): void {
  const cmd = program
    .command("monitor")
    .description(
      "weekly monitoring: PSI of the monitored features, expanded metrics, retrain triggers, and alerts " +
        "(Slack, PagerDuty) when a trigger fires or PSI breaches",
    );
  registerAssessOptions(cmd)
    .option("--no-alert", "evaluate and write the files, but send no alert")
    .addHelpText(
      "after",
      `
Writes to <reports_dir>/monitoring/season_<S>/week_<WW>/ (two-digit week):
  psi_summary_s<S>_w<W>.csv      feature, psi, threshold, breached (monitoring.psi_threshold), sample sizes
  psi_bins_s<S>_w<W>.csv         per-bin breakdown: reference-quantile bins plus a null bin
  psi_top_s<S>_w<W>.png          bar chart of the 20 highest PSI values with the threshold
  expanded_metrics_s<S>_w<W>.csv metric_window weekly (one row per week played), season_to_date, rolling_4:
                                 brier_score, log_loss, accuracy, ece, n
  rolling_metrics_s<S>_w<W>.png  weekly, rolling and season-to-date Brier with the baseline and trigger level
  reliability_s<S>_w<W>.png      season-to-date reliability diagram
  monitoring_s<S>_w<W>.json      summary: inputs, PSI, metrics, baseline, decision, alert outcomes
PSI compares the week's canonical T-60m team rows with the reference (default: the previous season plus
this season's earlier weeks). Alerts: Slack (SLACK_WEBHOOK_URL) when a trigger fires or any feature breaches;
PagerDuty Events API v2 (PAGERDUTY_ROUTING_KEY, PAGERDUTY_EVENTS_URL) when a trigger fires; one per
season-week and channel (dedup key nfl-pred-s<S>-w<W>). A missing variable skips its channel. Exit 4 when
an alert could not be delivered (the files are written first).
${BASELINE_HELP}`,
    )
    .action(async (opts: MonitorOptions) => {
      const cfg = configFor(rt, opts);
      await withDatabase(cfg, async (db) => {
        const a = await assessWeek(rt, cfg, db, opts);
        const notes = psiNotes(a, cfg.monitoring.psi_threshold);
        const files = await writeMonitoringFiles(cfg, a, notes, rt.now());
        for (const line of decisionLines(a)) rt.out(line);
        for (const line of a.inSample) rt.out(line);
        rt.out();
        rt.out(
          formatTable(
            a.drift
              .slice(0, 10)
              .map((d) => ({ feature: d.feature, psi: round6(d.psi), breached: d.breached })),
          ),
        );
        for (const line of notes) rt.out(line);
        if (a.missingFeatures.length > 0) {
          rt.out(`Not in the features table (no PSI): ${a.missingFeatures.join(", ")}`);
        }

        let outcomes: ChannelOutcome[] = [];
        let alerts: unknown;
        const alert = buildMonitoringAlert(
          a.season,
          a.week,
          a.decision,
          a.drift.filter((d) => d.breached),
          cfg.monitoring.psi_threshold,
        );
        if (!alert) alerts = "none needed";
        else if (!opts.alert) alerts = "not sent (--no-alert)";
        else {
          outcomes = await deliver(rt, db, alert.message, alert.channels);
          alerts = { dedup_key: alert.message.dedupKey, kind: alert.message.kind, outcomes };
        }
        if (outcomes.length > 0) for (const o of outcomes) rt.out(`Alert ${o.channel}: ${o.detail}`);
        else rt.out(`Alerts: ${String(alerts)}.`);
        await writeSummary(files.summary, { ...files.summaryBody, alerts });
        rt.out(`Wrote ${files.list.length} files to ${files.dir}`);
        const failed = outcomes.filter((o) => o.status === "failed");
        if (failed.length > 0) {
          throw new NflPredError(
            "ALERT",
            `alert delivery failed on ${failed.map((f) => f.channel).join(" and ")}; the monitoring files are written`,
            {
              hint: "check the webhook / routing key and the network, then run `npx nfl-pred notify --test`",
            },
          );
        }
      });
    });
}

/** Sends through the configured channels, remembering deliveries in the `alerts_sent` table. */
async function deliver(
  rt: Runtime,
  db: Database,
  message: Parameters<typeof sendAlert>[0],
  channels: readonly AlertChannel[],
): Promise<ChannelOutcome[]> {
  const { targets, notes } = findAlertTargets(rt.env, readPayloadTemplate("pagerduty_high.json"));
  const ledger: AlertLedger = {
    isSent: (channel, key) => isAlertSent(db, channel, key),
    recordSent: (channel, m) =>
      recordAlertSent(
        db,
        { channel, dedupKey: m.dedupKey, season: m.season, week: m.week, kind: m.kind, summary: m.summary },
        rt.now(),
      ),
  };
  return sendAlert(message, channels, targets, {
    effects: { fetch: globalThis.fetch, sleep: (ms) => sleep(ms), now: rt.now },
    ledger,
    notes,
  });
}

/** A template from the package's payloads/ folder, parsed. */
export function readPayloadTemplate(name: string): unknown {
  const url = new URL(`payloads/${name}`, PACKAGE_ROOT);
  try {
    return JSON.parse(readFileSync(url, "utf8")) as unknown;
  } catch (cause) {
    throw new NflPredError("CONFIG", `alert template payloads/${name} is missing or not valid JSON`, {
      file: url.pathname,
      cause,
    });
  }
}

async function writeSummary(path: string, body: unknown): Promise<void> {
  writeAtomic(path, `${JSON.stringify(body, null, 2)}\n`);
}

async function writeMonitoringFiles(
  cfg: Config,
  a: WeekAssessment,
  psiNoteLines: readonly string[],
  now: number,
) {
  const { season, week } = a;
  const dir = join(
    cfg.paths.reports_dir,
    "monitoring",
    `season_${season}`,
    `week_${String(week).padStart(2, "0")}`,
  );
  mkdirSync(dir, { recursive: true });
  const tag = `s${season}_w${week}`;
  const f = {
    psiSummary: join(dir, `psi_summary_${tag}.csv`),
    psiBins: join(dir, `psi_bins_${tag}.csv`),
    psiPng: join(dir, `psi_top_${tag}.png`),
    expanded: join(dir, `expanded_metrics_${tag}.csv`),
    rollingPng: join(dir, `rolling_metrics_${tag}.png`),
    reliabilityPng: join(dir, `reliability_${tag}.png`),
    summary: join(dir, `monitoring_${tag}.json`),
  };

  writeAtomic(
    f.psiSummary,
    toCsv(
      a.drift.map((d) => ({
        feature: d.feature,
        psi: round6(d.psi),
        threshold: d.threshold,
        breached: d.breached,
        reference_n: d.referenceN,
        current_n: d.currentN,
        reference_null_share: round6(d.referenceNullShare),
        current_null_share: round6(d.currentNullShare),
      })),
      PSI_COLUMNS,
    ),
  );
  writeAtomic(
    f.psiBins,
    toCsv(
      a.drift.flatMap((d) =>
        d.bins.map((b, i) => ({
          feature: d.feature,
          bin: i,
          label: b.label,
          lower: Number.isFinite(b.lower) ? round6(b.lower) : b.label === "null" ? "" : String(b.lower),
          upper: Number.isFinite(b.upper) ? round6(b.upper) : b.label === "null" ? "" : String(b.upper),
          ref_count: b.refCount,
          cur_count: b.curCount,
          ref_prop: round6(b.refProp),
          cur_prop: round6(b.curProp),
          contribution: round6(b.contribution),
        })),
      ),
      PSI_BIN_COLUMNS,
    ),
  );
  const rolling = `rolling_${cfg.monitoring.retrain_triggers.rolling_weeks}`;
  const expanded = [
    ...a.series.map((p) => metricsRecord(season, "weekly", p.week, String(p.week), p.weekly)),
    ...a.windows
      .filter((w) => w.metricWindow !== "week")
      .map((w) => metricsRecord(season, w.metricWindow, week, formatWeeks(w.weeks), w)),
  ];
  writeAtomic(f.expanded, toCsv(expanded, EXPANDED_COLUMNS));

  const { barSpec, lineSpec, reliabilitySpec, renderPng, writePngAtomic } = await import(
    "../../charts/index.ts"
  );
  const top = a.drift.slice(0, 20);
  await writePngAtomic(
    f.psiPng,
    await renderPng(
      barSpec({
        title: `PSI by feature, season ${season} week ${week} vs ${a.reference.description} (top ${top.length})`,
        xTitle: `PSI (${a.bins} reference-quantile bins + null; dashed line: alert level ${cfg.monitoring.psi_threshold})`,
        yTitle: "Feature",
        data: top.map((d) => ({ label: d.feature, value: d.psi, highlight: d.breached })),
        threshold: cfg.monitoring.psi_threshold,
      }),
    ),
  );
  const weeks = a.series.map((p) => p.week);
  const k = cfg.monitoring.retrain_triggers.rolling_weeks;
  const pct = cfg.monitoring.retrain_triggers.brier_deterioration_pct;
  const series = [
    { name: "Weekly", points: a.series.map((p) => ({ x: p.week, y: p.weekly.brierScore })) },
    {
      name: `Rolling ${k} weeks`,
      points: a.series.filter((p) => p.rollingComplete).map((p) => ({ x: p.week, y: p.rolling.brierScore })),
    },
    { name: "Season to date", points: a.series.map((p) => ({ x: p.week, y: p.seasonToDate.brierScore })) },
    ...(a.baseline && weeks.length > 0
      ? [
          { name: "Baseline", points: weeks.map((w) => ({ x: w, y: a.baseline!.brier })) },
          {
            name: `Trigger (+${pct}%)`,
            points: weeks.map((w) => ({ x: w, y: a.baseline!.brier * (1 + pct / 100) })),
          },
        ]
      : []),
  ].map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.y)) }));
  await writePngAtomic(
    f.rollingPng,
    await renderPng(
      lineSpec({
        title: `Brier score by week, season ${season} through week ${week}${a.baseline ? ` (baseline: ${a.baseline.source})` : ""}`,
        xTitle: "Week",
        yTitle: "Brier score (lower is better)",
        series,
      }),
    ),
  );
  const std = buildReliabilityTable(a.outcomes, season, week, {
    rollingWeeks: cfg.monitoring.retrain_triggers.rolling_weeks,
  }).filter((r) => r.metricWindow === "season_to_date" && r.segment === "all");
  const stdN = std.reduce((s, b) => s + b.count, 0);
  await writePngAtomic(
    f.reliabilityPng,
    await renderPng(
      reliabilitySpec({
        title: `Reliability, season ${season} through week ${week} (n = ${stdN})`,
        series: [{ name: "season to date", bins: std }],
      }),
    ),
  );

  const std0 = a.windows.find((w) => w.metricWindow === "season_to_date");
  const roll0 = a.windows.find((w) => w.metricWindow === rolling);
  const list = Object.values(f);
  const summaryBody = {
    season,
    week,
    generated_at: new Date(now).toISOString(),
    feature_set: a.featureSet,
    models: a.modelIds,
    // What `monitor` printed beside the decision: in-sample scores, PSI against noise, vanished inputs.
    notes: [...a.inSample.map((n) => n.replace(/^note: /, "")), ...psiNoteLines],
    psi: {
      reference: a.reference,
      current_rows: a.currentRows,
      bins: a.bins,
      threshold: cfg.monitoring.psi_threshold,
      expected_noise_psi: round6(expectedNoisePsi(a.bins, a.reference.rows, a.currentRows)),
      features: a.drift.length,
      breached: a.drift.filter((d) => d.breached).map((d) => ({ feature: d.feature, psi: round6(d.psi) })),
      top: a.drift.slice(0, 10).map((d) => ({ feature: d.feature, psi: round6(d.psi) })),
      missing_features: a.missingFeatures,
      null_in_current: a.vanished.features,
    },
    metrics: {
      weekly: a.series.map((p) => ({
        week: p.week,
        brier_score: round6(p.weekly.brierScore),
        log_loss: round6(p.weekly.logLoss),
        n: p.weekly.n,
      })),
      season_to_date: std0
        ? {
            brier_score: round6(std0.brierScore),
            log_loss: round6(std0.logLoss),
            n: std0.n,
            weeks: formatWeeks(std0.weeks),
          }
        : null,
      [rolling]: roll0
        ? {
            brier_score: round6(roll0.brierScore),
            log_loss: round6(roll0.logLoss),
            n: roll0.n,
            weeks: formatWeeks(roll0.weeks),
          }
        : null,
    },
    baseline: a.baseline
      ? { brier_score: round6(a.baseline.brier), n: a.baseline.n, source: a.baseline.source }
      : null,
    rule_flags: {
      file: a.ruleFlags.file,
      previous_season: a.ruleFlags.previousSeason,
      previous_from: a.ruleFlags.previousFrom,
      previous: a.ruleFlags.previous,
      current: a.ruleFlags.current,
    },
    triggers: {
      triggered: a.decision.triggered,
      reasons: a.decision.reasons,
      checks: a.decision.checks,
      config: cfg.monitoring.retrain_triggers,
    },
    alerts: "pending" as unknown,
    files: list.map((p) => p.slice(dir.length + 1)),
  };
  await writeSummary(f.summary, summaryBody);
  return { dir, list, summary: f.summary, summaryBody };
}
