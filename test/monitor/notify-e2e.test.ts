import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/mirror.ts";
import { RecordingServer, reply } from "./recording-server.ts";

describe("nfl-pred notify --test", () => {
  const cwd = tempDir("nflpred-notify-");
  const server = new RecordingServer();
  const MARKER = "SECRET-notify-81ae";
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("sends a test message to Slack and a resolved test event to PagerDuty, printing no secret", async () => {
    server.reset();
    const r = await runCli(["notify", "--test"], {
      cwd,
      env: {
        SLACK_WEBHOOK_URL: `${server.base}/hook/${MARKER}`,
        PAGERDUTY_ROUTING_KEY: `key-${MARKER}`,
        PAGERDUTY_EVENTS_URL: `${server.base}/v2/enqueue`,
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/slack: sent \(HTTP 200, 1 attempt\)/);
    expect(r.stdout).toMatch(/pagerduty: sent/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(MARKER);
    expect(server.requests.map((q) => q.url)).toEqual([`/hook/${MARKER}`, "/v2/enqueue", "/v2/enqueue"]);
    expect(JSON.parse(server.requests[0]!.body).text).toMatch(/Test message from nfl-pred/);
    const [trigger, resolve] = server.requests.slice(1).map((q) => JSON.parse(q.body));
    expect(trigger).toMatchObject({ event_action: "trigger", payload: { severity: "info" } });
    expect(resolve).toEqual({
      routing_key: `key-${MARKER}`,
      event_action: "resolve",
      dedup_key: trigger.dedup_key,
    });
  });

  it("skips unconfigured channels with a note and exits 0", async () => {
    server.reset();
    const r = await runCli(["notify", "--test"], {
      cwd,
      env: { SLACK_WEBHOOK_URL: "", PAGERDUTY_ROUTING_KEY: "" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/slack: skipped: SLACK_WEBHOOK_URL is not set/);
    expect(r.stdout).toMatch(/No alert channel is configured/);
  });

  it("exits 4 when a configured channel fails, and 2 without --test", async () => {
    server.reset(reply(403, `invalid_token for /hook/${MARKER}`));
    const r = await runCli(["notify", "--test", "--channels", "slack"], {
      cwd,
      env: { SLACK_WEBHOOK_URL: `${server.base}/hook/${MARKER}` },
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/slack: failed: HTTP 403 \(invalid_token for \[redacted\]\)/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(MARKER);
    expect((await runCli(["notify"], { cwd })).code).toBe(2);
  });
});
