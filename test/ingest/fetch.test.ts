import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isNflPredError } from "../../src/domain/index.ts";
import { type FetchEffects, type FetchPolicy, fetchSource } from "../../src/ingest/index.ts";
import { MIRROR_DIR } from "../helpers/mirror.ts";
import { type NflverseServer, startNflverseServer, stopNflverseServer } from "../helpers/nflverse-server.ts";

const TEAMS = "/teams/teams_colors_logos.csv";
const TEAMS_BYTES = readFileSync(join(MIRROR_DIR, "teams/teams_colors_logos.csv"));
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

// A generous timeout, so a loaded machine's slow first request is never retried where a test counts
// requests; only the timeout test uses a short one.
const policy: FetchPolicy = { timeoutMs: 10_000, retries: 2, backoffMs: 10 };
const shortTimeout: FetchPolicy = { ...policy, timeoutMs: 300 };

let srv: NflverseServer;
const retries: { attempt: number; reason: string; delayMs: number }[] = [];
const fx: FetchEffects = { fetch: globalThis.fetch, onRetry: (r) => retries.push(r) };

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the fetch to fail");
}

beforeAll(async () => {
  srv = await startNflverseServer(MIRROR_DIR);
});
afterAll(async () => {
  await stopNflverseServer(srv);
});
beforeEach(() => {
  srv.reset();
  retries.length = 0;
});

describe("fetchSource against a real HTTP server", () => {
  it("gets a mirror file byte for byte with its ETag", async () => {
    const out = await fetchSource(srv.url + TEAMS, policy, fx);
    expect(out.kind).toBe("ok");
    if (out.kind !== "ok") return;
    expect(sha(out.bytes)).toBe(sha(TEAMS_BYTES));
    expect(out.etag).toMatch(/^".+"$/);
    expect(srv.requestsFor(TEAMS)).toHaveLength(1);
  });

  it("follows a redirect to another path", async () => {
    srv.setFault("/releases/teams.csv", { kind: "redirect", to: TEAMS });
    const out = await fetchSource(`${srv.url}/releases/teams.csv`, policy, fx);
    expect(out.kind).toBe("ok");
    if (out.kind === "ok") expect(sha(out.bytes)).toBe(sha(TEAMS_BYTES));
    expect(srv.requests.map((r) => [r.path, r.status])).toEqual([
      ["/releases/teams.csv", 302],
      [TEAMS, 200],
    ]);
  });

  it("retries a 500 and succeeds on the next attempt", async () => {
    srv.setFault(TEAMS, { kind: "status", status: 500, times: 1 });
    const out = await fetchSource(srv.url + TEAMS, policy, fx);
    expect(out.kind).toBe("ok");
    expect(srv.requestsFor(TEAMS).map((r) => r.status)).toEqual([500, 200]);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.reason).toContain("500");
  });

  it("treats a 404 as missing without retrying", async () => {
    const out = await fetchSource(`${srv.url}/teams/nope.csv`, policy, fx);
    expect(out).toEqual({ kind: "missing", url: `${srv.url}/teams/nope.csv`, status: 404 });
    expect(srv.requestsFor("/teams/nope.csv")).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it("gives up on a persistent 500 after the bounded number of attempts", async () => {
    srv.setFault(TEAMS, { kind: "status", status: 503 });
    const err = await failureOf(fetchSource(srv.url + TEAMS, policy, fx));
    expect(isNflPredError(err)).toBe(true);
    expect(err.message).toContain(srv.url + TEAMS);
    expect(err.message).toContain("HTTP 503");
    expect(srv.requestsFor(TEAMS)).toHaveLength(policy.retries + 1);
  });

  it("fails a truncated body after bounded retries, naming the URL", async () => {
    srv.setFault(TEAMS, { kind: "truncate", fraction: 0.5 });
    const err = await failureOf(fetchSource(srv.url + TEAMS, policy, fx));
    expect(isNflPredError(err)).toBe(true);
    expect(err.message).toContain(srv.url + TEAMS);
    expect(err.message).toContain(`${policy.retries + 1} attempts`);
    expect(err.message).toMatch(/connection closed before the whole body arrived/);
    expect(srv.requestsFor(TEAMS)).toHaveLength(policy.retries + 1);
  });

  it("recovers when only the first body was truncated", async () => {
    srv.setFault(TEAMS, { kind: "truncate", fraction: 0.3, times: 1 });
    const out = await fetchSource(srv.url + TEAMS, policy, fx);
    expect(out.kind === "ok" && sha(out.bytes)).toBe(sha(TEAMS_BYTES));
    expect(srv.requestsFor(TEAMS)).toHaveLength(2);
  });

  it("times out a slow response with a clear message", async () => {
    srv.setFault(TEAMS, { kind: "slow", delayMs: 2_000 });
    const err = await failureOf(fetchSource(srv.url + TEAMS, shortTimeout, fx));
    expect(err.message).toContain(srv.url + TEAMS);
    // Every attempt was cut at the timeout, none waited for the 2 s response.
    expect(err.message).toMatch(/timed out after 300 ms/);
    expect(srv.requestsFor(TEAMS).length).toBe(policy.retries + 1);
  });

  it("honours Retry-After on a 429", async () => {
    srv.setFault(TEAMS, { kind: "status", status: 429, retryAfter: "1", times: 1 });
    const t0 = performance.now();
    const out = await fetchSource(srv.url + TEAMS, policy, fx);
    const elapsed = performance.now() - t0;
    expect(out.kind).toBe("ok");
    expect(srv.requestsFor(TEAMS).map((r) => r.status)).toEqual([429, 200]);
    expect(retries[0]?.delayMs).toBe(1_000);
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });

  it("sends If-None-Match and reports a 304 as not modified", async () => {
    const first = await fetchSource(srv.url + TEAMS, policy, fx);
    if (first.kind !== "ok") throw new Error(`expected ok, got ${first.kind}`);
    const second = await fetchSource(srv.url + TEAMS, policy, fx, first.etag);
    expect(second.kind).toBe("not_modified");
    const [a, b] = srv.requestsFor(TEAMS);
    expect(a?.headers["if-none-match"]).toBeUndefined();
    expect(b?.headers["if-none-match"]).toBe(first.etag);
    expect(b?.status).toBe(304);
  });

  it("gets the new body when the ETag no longer matches", async () => {
    const out = await fetchSource(srv.url + TEAMS, policy, fx, '"stale"');
    expect(out.kind).toBe("ok");
    expect(srv.requestsFor(TEAMS)[0]?.status).toBe(200);
  });

  it("fails at once on other 4xx statuses", async () => {
    srv.setFault(TEAMS, { kind: "status", status: 403 });
    const err = await failureOf(fetchSource(srv.url + TEAMS, policy, fx));
    expect(err.message).toContain("HTTP 403");
    expect(srv.requestsFor(TEAMS)).toHaveLength(1);
  });
});
