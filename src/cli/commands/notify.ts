import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { NflPredError } from "../../domain/index.ts";
import { type AlertChannel, type AlertMessage, findAlertTargets, sendAlert } from "../../monitor/index.ts";
import { parseList } from "../args.ts";
import type { Runtime } from "../runtime.ts";
import { readPayloadTemplate } from "./monitor.ts";

interface NotifyOptions {
  readonly test?: boolean;
  readonly channels: string;
}

const CHANNELS = ["slack", "pagerduty"] as const;

export function registerNotify(program: Command, rt: Runtime): void {
  program
    .command("notify")
    .description("send a test message to the alert channels (Slack webhook, PagerDuty Events API v2)")
    .option("--test", "send a test message (required: the only kind of message notify sends)")
    .option("--channels <list>", "comma-separated: slack, pagerduty", "slack,pagerduty")
    .addHelpText(
      "after",
      `
Environment: SLACK_WEBHOOK_URL (Slack incoming webhook), PAGERDUTY_ROUTING_KEY (Events API v2 integration
key), PAGERDUTY_EVENTS_URL (default https://events.pagerduty.com/v2/enqueue). A channel without its variable
is skipped with a note. The PagerDuty test event (payloads/pagerduty_test.json, severity info) is resolved
right after it is accepted. Secrets are never printed. Exit 4 when a configured channel fails.`,
    )
    .action(async (opts: NotifyOptions) => {
      if (!opts.test) {
        throw new NflPredError("USAGE", "notify only sends test messages: run `nfl-pred notify --test`", {
          flag: "--test",
        });
      }
      const channels = parseList(opts.channels, CHANNELS, "--channels") as AlertChannel[];
      const now = rt.now();
      const iso = new Date(now).toISOString();
      const message: AlertMessage = {
        kind: "test",
        season: null,
        week: null,
        dedupKey: `nfl-pred-test-${iso.replace(/[:.]/g, "")}`,
        severity: "info",
        summary: `Test message from nfl-pred ${rt.version} at ${iso}; no action needed`,
        lines: ["If you can read this, monitoring alerts reach this channel."],
        details: { test: true, sent_at: iso },
      };
      const { targets, notes } = findAlertTargets(rt.env, readPayloadTemplate("pagerduty_test.json"));
      const outcomes = await sendAlert(message, channels, targets, {
        effects: { fetch: globalThis.fetch, sleep: (ms) => sleep(ms), now: rt.now },
        notes,
      });
      for (const o of outcomes) rt.out(`${o.channel}: ${o.detail}`);
      if (outcomes.every((o) => o.status === "skipped")) {
        rt.out("No alert channel is configured: set SLACK_WEBHOOK_URL and/or PAGERDUTY_ROUTING_KEY.");
      }
      const failed = outcomes.filter((o) => o.status === "failed");
      if (failed.length > 0) {
        throw new NflPredError(
          "ALERT",
          `test message failed on ${failed.map((f) => f.channel).join(" and ")}`,
          {
            hint: "check the webhook URL / routing key and the network",
          },
        );
      }
    });
}
