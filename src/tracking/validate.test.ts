import { describe, expect, it } from "vitest";
import { looksSecret, redact } from "./index.ts";
import { validateKey } from "./validate.ts";

// The good/bad lists of MLflow's own validation tests, so our keys are exactly the ones it accepts.
const GOOD = ["a", "Ab-5_", "a/b/c", "a.b.c", ".a", "b.", "a..a/._./o_O/.e.", "a b/c d"];
const BAD = ["", ".", "/", "..", "//", "a//b", "a/./b", "/a", "a/", ":", "\\", "./", "/./", "../x", "a/.."];

describe("validateKey", () => {
  it.each(GOOD)("accepts %j", (key) => {
    expect(() => validateKey("param", key)).not.toThrow();
  });
  it.each(BAD)("rejects %j", (key) => {
    expect(() => validateKey("metric", key)).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
  it("rejects keys longer than 250 characters", () => {
    expect(() => validateKey("tag", "k".repeat(251))).toThrow(/longer than 250/);
  });
});

describe("secrets", () => {
  const slack = "https://hooks.slack.com/services/T000/B000/XXXXXXXX";
  it.each([
    slack,
    "https://discord.com/api/webhooks/123/abc",
    "https://example.webhook.office.com/webhookb2/abc",
    "https://user:hunter2@example.com/path",
    "https://events.example.com/enqueue?routing_key=abc123",
    `see ${slack} for alerts`,
  ])("flags %s", (value) => {
    expect(looksSecret(value)).toBe(true);
  });

  it.each(["logistic", "https://github.com/nflverse/nflverse-data/releases", "0.25", "a=b&c=d"])(
    "does not flag %s",
    (value) => {
      expect(looksSecret(value)).toBe(false);
    },
  );

  it("redacts to the origin and leaves harmless URLs alone", () => {
    const out = redact(`alerts ${slack} data https://github.com/nflverse`);
    expect(out).toBe("alerts https://hooks.slack.com/[REDACTED] data https://github.com/nflverse");
    expect(looksSecret(out)).toBe(false);
    expect(redact("https://u:pw@host.example/x")).toBe("https://host.example/[REDACTED]");
  });
});
