import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RecordingServer, reply, slowReply } from "../../test/monitor/recording-server.ts";
import {
  type AlertChannel,
  type AlertEffects,
  type AlertLedger,
  type AlertMessage,
  buildMonitoringAlert,
  buildPagerDutyEvent,
  evaluateRetrainTriggers,
  findAlertTargets,
  parseRetryAfter,
  postJson,
  redact,
  renderTemplate,
  sendAlert,
} from "./index.ts";

const status = reply;
const slow = slowReply;

const MARKER = "S3CRET-MARKER-7f3a";
const server = new RecordingServer();
const sleeps: number[] = [];
const effects: AlertEffects = {
  fetch: globalThis.fetch,
  sleep: async (ms) => {
    sleeps.push(ms);
    await sleep(Math.min(ms, 20));
  },
  now: () => Date.parse("2024-10-17T12:00:00Z"),
};
// A generous timeout: a loaded CI machine can take over 200 ms for the first request of a process, which
// turned "one POST" into two. Only the timeout test uses a short one.
const policy = { timeoutMs: 10_000, retries: 2, backoffMs: 5, maxRetryAfterMs: 5_000 };
const shortTimeout = { ...policy, timeoutMs: 200 };
const template = JSON.parse(
  readFileSync(new URL("../../payloads/pagerduty_high.json", import.meta.url), "utf8"),
);

const message: AlertMessage = {
  kind: "retrain_trigger",
  season: 2024,
  week: 6,
  dedupKey: "nfl-pred-s2024-w6",
  severity: "error",
  summary: "Retrain triggered for season 2024 week 6: 2 checks fired",
  lines: ["7 of 120 features have PSI >= 0.2", "rule flag flipped: kickoff_touchback true -> false"],
  details: { triggered: true },
};

function memoryLedger(): AlertLedger & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    isSent: async (channel, key) => sent.includes(`${channel}|${key}`),
    recordSent: async (channel, m) => {
      sent.push(`${channel}|${m.dedupKey}`);
    },
  };
}

function targets() {
  return findAlertTargets(
    {
      SLACK_WEBHOOK_URL: `${server.base}/hooks/T000/B000/${MARKER}`,
      PAGERDUTY_ROUTING_KEY: `rk-${MARKER}`,
      PAGERDUTY_EVENTS_URL: `${server.base}/v2/enqueue`,
    },
    template,
  );
}

beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  sleeps.length = 0;
});

describe("postJson against a real server", () => {
  it("200: one POST of JSON", async () => {
    server.reset(status(200, "ok"));
    const r = await postJson(`${server.base}/x`, { a: 1 }, effects, policy, []);
    expect(r).toEqual({ ok: true, attempts: 1, status: 200 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: "POST", url: "/x", contentType: "application/json" });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ a: 1 });
  });

  it("429 with Retry-After: waits that long, then succeeds", async () => {
    server.reset(status(429, "rate limited", { "Retry-After": "2" }), status(200));
    const r = await postJson(`${server.base}/x`, {}, effects, policy, []);
    expect(r.ok).toBe(true);
    expect(r.attempts).toBe(2);
    expect(sleeps).toEqual([2000]);
    expect(server.requests).toHaveLength(2);
  });

  it("429 with a Retry-After beyond the cap gives up at once", async () => {
    server.reset(status(429, "", { "Retry-After": "3600" }));
    const r = await postJson(`${server.base}/x`, {}, effects, policy, []);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/Retry-After 3600 s exceeds the 5 s cap/);
    expect(server.requests).toHaveLength(1);
  });

  it("500: bounded retries with exponential backoff, then a failure that says so", async () => {
    server.reset(status(500, "boom"), status(500, "boom"), status(500, "boom"), status(200));
    const r = await postJson(`${server.base}/x`, {}, effects, policy, []);
    expect(r.ok).toBe(false);
    expect(r.attempts).toBe(3);
    expect(r.status).toBe(500);
    expect(r.error).toMatch(/HTTP 500 \(boom\) after 3 attempts/);
    expect(sleeps).toEqual([5, 10]);
    expect(server.requests).toHaveLength(3);
  });

  it("500 then 200 recovers on the retry", async () => {
    server.reset(status(503), status(200));
    const r = await postJson(`${server.base}/x`, {}, effects, policy, []);
    expect(r).toMatchObject({ ok: true, attempts: 2 });
  });

  it("other 4xx fail without a retry", async () => {
    server.reset(status(400, "invalid_payload"));
    const r = await postJson(`${server.base}/x`, {}, effects, policy, []);
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 400 });
    expect(r.error).toMatch(/HTTP 400 \(invalid_payload\)/);
  });

  it("a slow server times out on every attempt; a slow first answer is retried", async () => {
    server.reset(slow(1000), slow(1000), slow(1000));
    const r = await postJson(`${server.base}/x`, {}, effects, shortTimeout, []);
    expect(r.ok).toBe(false);
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/timed out after 200 ms after 3 attempts/);
    server.reset(slow(1000), status(200));
    expect(await postJson(`${server.base}/x`, {}, effects, shortTimeout, [])).toMatchObject({
      ok: true,
      attempts: 2,
    });
  });

  it("a refused connection is a network failure", async () => {
    const r = await postJson("http://127.0.0.1:9/x", {}, effects, { ...policy, retries: 0 }, []);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it("Retry-After accepts seconds and HTTP dates", () => {
    const now = Date.parse("2024-10-17T12:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 17 Oct 2024 12:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("sendAlert", () => {
  it("posts the Slack message and the PagerDuty event built from the template", async () => {
    server.reset(status(200, "ok"), status(202, '{"status":"success"}'));
    const { targets: t, notes } = targets();
    const out = await sendAlert(message, ["slack", "pagerduty"], t, { effects, policy, notes });
    expect(out.map((o) => o.status)).toEqual(["sent", "sent"]);
    const [slack, pd] = server.requests;
    expect(slack!.url).toBe(`/hooks/T000/B000/${MARKER}`);
    const sb = JSON.parse(slack!.body);
    expect(sb.text).toMatch(/retrain trigger \(season 2024 week 6\): Retrain triggered/);
    expect(JSON.stringify(sb.blocks)).toContain("kickoff_touchback");
    expect(pd!.url).toBe("/v2/enqueue");
    const event = JSON.parse(pd!.body);
    expect(event).toMatchObject({
      routing_key: `rk-${MARKER}`,
      event_action: "trigger",
      dedup_key: "nfl-pred-s2024-w6",
      payload: {
        summary: message.summary,
        source: "nfl-pred monitor",
        severity: "error",
        class: "retrain_trigger",
      },
    });
    expect(event.payload.custom_details.reasons).toEqual(message.lines);
  });

  it("never puts the webhook URL or routing key in an outcome, even when the server echoes them", async () => {
    server.reset(
      status(400, `no such hook /hooks/T000/B000/${MARKER}`),
      status(400, `{"errors":["bad routing_key rk-${MARKER}"]}`),
    );
    const { targets: t } = targets();
    const out = await sendAlert(message, ["slack", "pagerduty"], t, { effects, policy });
    expect(out.map((o) => o.status)).toEqual(["failed", "failed"]);
    expect(JSON.stringify(out)).not.toContain(MARKER);
    expect(JSON.stringify(out)).toContain("[redacted]");
    // Unreachable targets too: the error text of fetch must not leak the URL.
    const bad = findAlertTargets(
      {
        SLACK_WEBHOOK_URL: `http://127.0.0.1:9/${MARKER}`,
        PAGERDUTY_ROUTING_KEY: `rk-${MARKER}`,
        PAGERDUTY_EVENTS_URL: `not a url ${MARKER}`,
      },
      template,
    );
    const out2 = await sendAlert(message, ["slack", "pagerduty"], bad.targets, {
      effects,
      policy: { ...policy, retries: 0 },
    });
    expect(out2.map((o) => o.status)).toEqual(["failed", "failed"]);
    expect(JSON.stringify(out2)).not.toContain(MARKER);
  });

  it("a ledger makes a re-run send nothing twice", async () => {
    server.reset(status(200), status(202));
    const ledger = memoryLedger();
    const { targets: t } = targets();
    const first = await sendAlert(message, ["slack", "pagerduty"], t, { effects, policy, ledger });
    expect(first.map((o) => o.status)).toEqual(["sent", "sent"]);
    const again = await sendAlert(message, ["slack", "pagerduty"], t, { effects, policy, ledger });
    expect(again.map((o) => o.status)).toEqual(["duplicate", "duplicate"]);
    expect(server.requests).toHaveLength(2);
  });

  it("a failed delivery is not recorded, so the next run tries again", async () => {
    server.reset(status(500), status(500), status(500), status(200));
    const ledger = memoryLedger();
    const { targets: t } = targets();
    expect((await sendAlert(message, ["slack"], t, { effects, policy, ledger }))[0]!.status).toBe("failed");
    expect(ledger.sent).toEqual([]);
    expect((await sendAlert(message, ["slack"], t, { effects, policy, ledger }))[0]!.status).toBe("sent");
  });

  it("skips a channel whose variable is missing, with a note, and sends nothing", async () => {
    server.reset();
    const { targets: t, notes } = findAlertTargets(
      { PAGERDUTY_EVENTS_URL: `${server.base}/v2/enqueue` },
      template,
    );
    const out = await sendAlert(message, ["slack", "pagerduty"], t, { effects, policy, notes });
    expect(out.map((o) => o.status)).toEqual(["skipped", "skipped"]);
    expect(out[0]!.detail).toMatch(/SLACK_WEBHOOK_URL is not set/);
    expect(out[1]!.detail).toMatch(/PAGERDUTY_ROUTING_KEY is not set/);
    expect(server.requests).toHaveLength(0);
  });

  it("a test message resolves its PagerDuty event right away", async () => {
    server.reset(status(202), status(202));
    const { targets: t } = targets();
    const test: AlertMessage = { ...message, kind: "test", severity: "info", dedupKey: "nfl-pred-test-1" };
    const out = await sendAlert(test, ["pagerduty" as AlertChannel], t, { effects, policy });
    expect(out[0]!.status).toBe("sent");
    expect(server.requests.map((r) => JSON.parse(r.body).event_action)).toEqual(["trigger", "resolve"]);
    expect(JSON.parse(server.requests[1]!.body).dedup_key).toBe("nfl-pred-test-1");
  });

  it("the PagerDuty endpoint defaults to PagerDuty's /v2/enqueue", () => {
    const { targets: t } = findAlertTargets({ PAGERDUTY_ROUTING_KEY: "k" }, template);
    expect(t.pagerduty!.eventsUrl).toBe("https://events.pagerduty.com/v2/enqueue");
  });
});

describe("templates and messages", () => {
  it("fills whole-value and inline placeholders and refuses unknown ones", () => {
    expect(renderTemplate({ a: "{{x}}", b: "w{{ y }}!", c: ["{{x}}"], d: 3 }, { x: { n: 1 }, y: 6 })).toEqual(
      {
        a: { n: 1 },
        b: "w6!",
        c: [{ n: 1 }],
        d: 3,
      },
    );
    expect(() => renderTemplate({ a: "{{nope}}" }, { x: 1 })).toThrow(/unknown placeholder \{\{nope\}\}/);
  });

  it("refuses a template that renders an invalid event", () => {
    const bad = { ...template, payload: { ...template.payload, severity: "high" } };
    expect(() => buildPagerDutyEvent(bad, message, "k")).toThrow(/payload\.severity/);
    expect(() => buildPagerDutyEvent(template, message, "")).toThrow(/routing_key/);
  });

  it("alerts on a fired trigger (both channels) or a PSI breach alone (Slack), else not at all", () => {
    const config = { brierDeteriorationPct: 10, psiFeatureCount: 5, psiThreshold: 0.2, rollingWeeks: 4 };
    const base = {
      recentBrierScores: [0.2, 0.2, 0.2, 0.2],
      baselineBrier: 0.2,
      psiSummary: [{ feature: "a", psi: 0.3 }],
      previousRuleFlags: {},
      currentRuleFlags: {},
      config,
    };
    const quiet = evaluateRetrainTriggers(base);
    expect(buildMonitoringAlert(2024, 6, quiet, [], 0.2)).toBeUndefined();
    const psiOnly = buildMonitoringAlert(2024, 6, quiet, [{ feature: "a", psi: 0.3 }], 0.2)!;
    expect(psiOnly.channels).toEqual(["slack"]);
    expect(psiOnly.message).toMatchObject({
      kind: "psi_breach",
      severity: "warning",
      dedupKey: "nfl-pred-s2024-w6",
    });
    const fired = evaluateRetrainTriggers({ ...base, currentRuleFlags: { kickoff_2024plus: true } });
    const trig = buildMonitoringAlert(2024, 6, fired, [{ feature: "a", psi: 0.3 }], 0.2)!;
    expect(trig.channels).toEqual(["slack", "pagerduty"]);
    expect(trig.message.kind).toBe("retrain_trigger");
    expect(trig.message.lines.join(" ")).toMatch(/kickoff_2024plus false -> true/);
    expect(trig.message.lines.join(" ")).toMatch(/1 feature with PSI >= 0.2: a 0.300/);
  });

  it("redacts secrets and their URL-encoded forms", () => {
    expect(redact("x https://h/a b/c y", ["https://h/a b/c"])).toBe("x [redacted] y");
    expect(redact("x https%3A%2F%2Fh%2Fk y", ["https://h/k"])).toBe("x [redacted] y");
  });
});
