/**
 * Alert senders (adapters): a Slack incoming webhook and the PagerDuty Events API v2. The network, the
 * clock, the sleep and the dedup ledger are passed in. Webhook URLs and routing keys are secrets: they are
 * never put into a result, an error or a log line, and any message that might echo them is redacted.
 */
import { NflPredError } from "../domain/index.ts";
import type { RetrainDecision } from "./triggers.ts";

export type AlertChannel = "slack" | "pagerduty";
export type AlertSeverity = "critical" | "error" | "warning" | "info";

export const DEFAULT_PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

export interface AlertMessage {
  readonly kind: "retrain_trigger" | "psi_breach" | "test";
  readonly season: number | null;
  readonly week: number | null;
  /** One per season-week (`nfl-pred-s2024-w6`): a re-run never alerts twice; PagerDuty also dedups on it. */
  readonly dedupKey: string;
  readonly severity: AlertSeverity;
  /** One line; PagerDuty caps it at 1024 characters. */
  readonly summary: string;
  /** Bullet lines for Slack. */
  readonly lines: readonly string[];
  readonly details: Readonly<Record<string, unknown>>;
}

export interface SlackTarget {
  readonly webhookUrl: string;
}

export interface PagerDutyTarget {
  readonly routingKey: string;
  readonly eventsUrl: string;
  /** The event template (e.g. payloads/pagerduty_high.json) with `{{placeholders}}`. */
  readonly template: unknown;
}

export interface AlertTargets {
  readonly slack?: SlackTarget;
  readonly pagerduty?: PagerDutyTarget;
}

export interface DeliveryPolicy {
  readonly timeoutMs: number;
  /** Extra attempts after the first. */
  readonly retries: number;
  readonly backoffMs: number;
  /** A 429's Retry-After longer than this gives up instead of waiting. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  timeoutMs: 10_000,
  retries: 2,
  backoffMs: 1_000,
  maxRetryAfterMs: 60_000,
};

export interface AlertEffects {
  readonly fetch: typeof globalThis.fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** Remembers delivered alerts (the `alerts_sent` table), so a re-run does not alert again. */
export interface AlertLedger {
  readonly isSent: (channel: AlertChannel, dedupKey: string) => Promise<boolean>;
  readonly recordSent: (channel: AlertChannel, message: AlertMessage) => Promise<void>;
}

export interface DeliveryResult {
  readonly ok: boolean;
  readonly attempts: number;
  /** Last HTTP status, null when no response arrived. */
  readonly status: number | null;
  /** Why it failed (redacted); undefined on success. */
  readonly error?: string;
}

export interface ChannelOutcome {
  readonly channel: AlertChannel;
  readonly status: "sent" | "duplicate" | "skipped" | "failed";
  /** Safe to print: never holds a URL or key. */
  readonly detail: string;
  readonly attempts: number;
}

/**
 * Reads the alert targets from the environment: `SLACK_WEBHOOK_URL`, `PAGERDUTY_ROUTING_KEY`,
 * `PAGERDUTY_EVENTS_URL` (default PagerDuty's /v2/enqueue). A missing variable skips that channel with a note.
 */
export function findAlertTargets(
  env: Readonly<Record<string, string | undefined>>,
  pagerdutyTemplate: unknown,
): { targets: AlertTargets; notes: Partial<Record<AlertChannel, string>> } {
  const notes: Partial<Record<AlertChannel, string>> = {};
  const slackUrl = env.SLACK_WEBHOOK_URL?.trim();
  const routingKey = env.PAGERDUTY_ROUTING_KEY?.trim();
  if (!slackUrl) notes.slack = "skipped: SLACK_WEBHOOK_URL is not set";
  if (!routingKey) notes.pagerduty = "skipped: PAGERDUTY_ROUTING_KEY is not set";
  const eventsUrl = env.PAGERDUTY_EVENTS_URL?.trim() || DEFAULT_PAGERDUTY_EVENTS_URL;
  return {
    targets: {
      ...(slackUrl ? { slack: { webhookUrl: slackUrl } } : {}),
      ...(routingKey ? { pagerduty: { routingKey, eventsUrl, template: pagerdutyTemplate } } : {}),
    },
    notes,
  };
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join("[redacted]");
  }
  return out;
}

/**
 * A webhook URL's secret forms: the whole URL, its path (a server may echo just that) and every long path
 * segment (Slack's token is the last one).
 */
export function urlSecrets(url: string): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    const path = `${u.pathname}${u.search}`;
    if (path.length > 1) out.push(path);
    for (const seg of u.pathname.split("/")) if (seg.length >= 8) out.push(decodeURIComponent(seg));
  } catch {
    // Not a URL: the whole string is all there is to hide.
  }
  return out;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * POSTs JSON with a per-attempt timeout and bounded retries: 5xx, timeouts and network errors back off
 * exponentially; 429 waits for Retry-After (capped); other 4xx fail at once. `secrets` are redacted from
 * any error text.
 */
export async function postJson(
  url: string,
  body: unknown,
  effects: AlertEffects,
  policy: DeliveryPolicy,
  secrets: readonly string[],
): Promise<DeliveryResult> {
  const payload = JSON.stringify(body);
  let status: number | null = null;
  let error = "not attempted";
  const attempts = policy.retries + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let waitMs = policy.backoffMs * 2 ** (attempt - 1);
    try {
      const res = await effects.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload,
        redirect: "error",
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      status = res.status;
      const text = (await res.text().catch(() => "")).slice(0, 200).replace(/\s+/g, " ").trim();
      if (res.ok) return { ok: true, attempts: attempt, status };
      error = `HTTP ${res.status}${text ? ` (${text})` : ""}`;
      if (res.status === 429) {
        const retryAfter = parseRetryAfter(res.headers.get("retry-after"), effects.now());
        if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
          error = `HTTP 429, Retry-After ${Math.round(retryAfter / 1000)} s exceeds the ${Math.round(policy.maxRetryAfterMs / 1000)} s cap`;
          return { ok: false, attempts: attempt, status, error: redact(error, secrets) };
        }
        if (retryAfter !== undefined) waitMs = retryAfter;
      } else if (res.status < 500) {
        return { ok: false, attempts: attempt, status, error: redact(error, secrets) };
      }
    } catch (e) {
      status = null;
      const err = e as Error & { cause?: { code?: string; message?: string } };
      error =
        err.name === "TimeoutError" || err.name === "AbortError"
          ? `timed out after ${policy.timeoutMs} ms`
          : `${err.message}${err.cause?.code ? ` (${err.cause.code})` : err.cause?.message ? ` (${err.cause.message})` : ""}`;
    }
    if (attempt < attempts) await effects.sleep(waitMs);
  }
  return { ok: false, attempts, status, error: redact(`${error} after ${attempts} attempts`, secrets) };
}

/** Slack incoming-webhook body: `text` (the notification line) and blocks with the details. */
export function buildSlackBody(message: AlertMessage): { text: string; blocks: unknown[] } {
  const where = message.season === null ? "" : ` (season ${message.season} week ${message.week})`;
  const text = `nfl-pred ${message.kind.replace("_", " ")}${where}: ${message.summary}`;
  const bullet = message.lines.map((l) => `• ${l}`).join("\n");
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${escapeSlack(text)}*` } },
      ...(bullet
        ? [{ type: "section", text: { type: "mrkdwn", text: escapeSlack(bullet).slice(0, 2900) } }]
        : []),
      { type: "context", elements: [{ type: "mrkdwn", text: `dedup key \`${message.dedupKey}\`` }] },
    ],
  };
}

function escapeSlack(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

const PLACEHOLDER = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi;

/**
 * Fills `{{name}}` placeholders of a JSON template: a string that is exactly one placeholder takes the
 * value as is (objects too), placeholders inside longer strings are interpolated. An unknown name fails.
 * @example renderTemplate({ dedup_key: "{{dedup_key}}" }, { dedup_key: "nfl-pred-s2024-w6" })
 */
export function renderTemplate(template: unknown, vars: Readonly<Record<string, unknown>>): unknown {
  const lookup = (name: string) => {
    if (!(name in vars)) {
      throw new NflPredError("CONFIG", `alert template uses an unknown placeholder {{${name}}}`, {
        value: name,
        hint: `known placeholders: ${Object.keys(vars).sort().join(", ")}`,
      });
    }
    return vars[name];
  };
  if (typeof template === "string") {
    const whole = /^\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}$/i.exec(template);
    if (whole) return lookup(whole[1]!);
    return template.replace(PLACEHOLDER, (_, name: string) => {
      const v = lookup(name);
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(template)) return template.map((t) => renderTemplate(t, vars));
  if (template && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderTemplate(v, vars)]));
  }
  return template;
}

const SEVERITIES = new Set(["critical", "error", "warning", "info"]);
const ACTIONS = new Set(["trigger", "acknowledge", "resolve"]);

/** Builds and checks a PagerDuty Events API v2 event from the template; the routing key goes in last. */
export function buildPagerDutyEvent(
  template: unknown,
  message: AlertMessage,
  routingKey: string,
): Record<string, unknown> {
  const event = renderTemplate(template, {
    routing_key: routingKey,
    dedup_key: message.dedupKey,
    summary: message.summary.slice(0, 1024),
    severity: message.severity,
    kind: message.kind,
    season: message.season,
    week: message.week,
    custom_details: { ...message.details, reasons: message.lines },
  }) as Record<string, unknown>;
  const payload = event.payload as Record<string, unknown> | undefined;
  const problems: string[] = [];
  if (typeof event.routing_key !== "string" || event.routing_key === "") problems.push("routing_key");
  if (!ACTIONS.has(String(event.event_action))) problems.push("event_action");
  if (event.event_action === "trigger") {
    if (!payload || typeof payload !== "object") problems.push("payload");
    else {
      if (typeof payload.summary !== "string" || payload.summary === "") problems.push("payload.summary");
      if (typeof payload.source !== "string" || payload.source === "") problems.push("payload.source");
      if (!SEVERITIES.has(String(payload.severity))) problems.push("payload.severity");
    }
  }
  if (problems.length > 0) {
    throw new NflPredError("CONFIG", `PagerDuty template renders an invalid event: ${problems.join(", ")}`, {
      hint: "see payloads/pagerduty_high.json for the fields Events API v2 requires",
    });
  }
  return event;
}

/**
 * Sends one alert to the chosen channels. Per channel: skipped when its target is missing (with `notes`),
 * `duplicate` when the ledger already holds its dedup key, else delivered with retries and recorded.
 * Never throws for a delivery failure: the outcome says `failed` with a redacted reason.
 */
export async function sendAlert(
  message: AlertMessage,
  channels: readonly AlertChannel[],
  targets: AlertTargets,
  deps: {
    readonly effects: AlertEffects;
    readonly policy?: DeliveryPolicy;
    readonly ledger?: AlertLedger;
    readonly notes?: Partial<Record<AlertChannel, string>>;
  },
): Promise<ChannelOutcome[]> {
  const policy = deps.policy ?? DEFAULT_DELIVERY_POLICY;
  const secrets = [
    ...(targets.slack ? urlSecrets(targets.slack.webhookUrl) : []),
    ...(targets.pagerduty ? [targets.pagerduty.routingKey, targets.pagerduty.eventsUrl] : []),
  ];
  const out: ChannelOutcome[] = [];
  for (const channel of channels) {
    const skipped = (detail: string) => out.push({ channel, status: "skipped", detail, attempts: 0 });
    if (channel === "slack" && !targets.slack) {
      skipped(deps.notes?.slack ?? "skipped: no Slack webhook configured");
      continue;
    }
    if (channel === "pagerduty" && !targets.pagerduty) {
      skipped(deps.notes?.pagerduty ?? "skipped: no PagerDuty routing key configured");
      continue;
    }
    if (deps.ledger && (await deps.ledger.isSent(channel, message.dedupKey))) {
      out.push({
        channel,
        status: "duplicate",
        detail: `already sent for ${message.dedupKey}; not sent again`,
        attempts: 0,
      });
      continue;
    }
    let result: DeliveryResult;
    try {
      result = await deliverTo(channel, message, targets, deps.effects, policy, secrets);
    } catch (e) {
      // A bad template is this channel's failure, not a reason to skip the others.
      result = { ok: false, attempts: 0, status: null, error: redact((e as Error).message, secrets) };
    }
    if (result.ok) {
      await deps.ledger?.recordSent(channel, message);
      out.push({
        channel,
        status: "sent",
        detail: `sent (HTTP ${result.status}, ${result.attempts} attempt${result.attempts === 1 ? "" : "s"})`,
        attempts: result.attempts,
      });
    } else {
      out.push({ channel, status: "failed", detail: `failed: ${result.error}`, attempts: result.attempts });
    }
  }
  return out;
}

async function deliverTo(
  channel: AlertChannel,
  message: AlertMessage,
  targets: AlertTargets,
  effects: AlertEffects,
  policy: DeliveryPolicy,
  secrets: readonly string[],
): Promise<DeliveryResult> {
  if (channel === "slack") {
    return postJson(targets.slack!.webhookUrl, buildSlackBody(message), effects, policy, secrets);
  }
  const pd = targets.pagerduty!;
  const event = buildPagerDutyEvent(pd.template, message, pd.routingKey);
  const result = await postJson(pd.eventsUrl, event, effects, policy, secrets);
  if (!result.ok || message.kind !== "test") return result;
  // A test must not leave an open incident behind.
  const resolve = { routing_key: pd.routingKey, event_action: "resolve", dedup_key: message.dedupKey };
  const r2 = await postJson(pd.eventsUrl, resolve, effects, policy, secrets);
  return r2.ok ? result : { ...r2, error: `test event sent but not resolved: ${r2.error}` };
}

/**
 * The monitoring alert of a season-week, or undefined when nothing calls for one: a fired retrain trigger
 * (Slack and PagerDuty) or a PSI breach alone (Slack).
 */
export function buildMonitoringAlert(
  season: number,
  week: number,
  decision: RetrainDecision,
  breached: readonly { readonly feature: string; readonly psi: number }[],
  psiThreshold: number,
): { message: AlertMessage; channels: AlertChannel[] } | undefined {
  if (!decision.triggered && breached.length === 0) return undefined;
  const psiLine = `${breached.length} feature${breached.length === 1 ? "" : "s"} with PSI >= ${psiThreshold}${
    breached.length > 0
      ? `: ${breached
          .slice(0, 8)
          .map((b) => `${b.feature} ${b.psi.toFixed(3)}`)
          .join(", ")}${breached.length > 8 ? ", …" : ""}`
      : ""
  }`;
  const lines = decision.triggered ? [...decision.reasons] : [psiLine];
  if (decision.triggered && decision.checks.psi.status !== "fired" && breached.length > 0)
    lines.push(psiLine);
  const message: AlertMessage = {
    kind: decision.triggered ? "retrain_trigger" : "psi_breach",
    season,
    week,
    dedupKey: `nfl-pred-s${season}-w${week}`,
    severity: decision.triggered ? "error" : "warning",
    summary: decision.triggered
      ? `Retrain triggered for season ${season} week ${week}: ${decision.reasons.length} check${decision.reasons.length === 1 ? "" : "s"} fired`
      : `PSI breach for season ${season} week ${week}: ${breached.length} feature${breached.length === 1 ? "" : "s"} at or above ${psiThreshold}`,
    lines,
    details: {
      triggered: decision.triggered,
      reasons: decision.reasons,
      brier: decision.checks.brier.detail,
      psi: decision.checks.psi.detail,
      rule_flags: decision.checks.ruleFlags.detail,
      psi_breached: breached.map((b) => ({ feature: b.feature, psi: Number(b.psi.toFixed(4)) })),
    },
  };
  return { message, channels: decision.triggered ? ["slack", "pagerduty"] : ["slack"] };
}
