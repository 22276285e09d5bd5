import { describe, expect, it } from "vitest";
import { formatAge, HOUR_MS, judgeAge, judgeFinalSnapshot } from "./doctor.ts";

const NOW = Date.UTC(2024, 9, 20, 18, 0);
const MIN = 60_000;

describe("judgeAge", () => {
  const base = {
    name: "backup within 24 h",
    what: "latest backup",
    now: NOW,
    maxAgeMs: 24 * HOUR_MS,
    fix: "npx nfl-pred backup",
    missing: "no backup",
  };

  it("passes at the limit and fails just past it, with the fix only on failure", () => {
    expect(judgeAge({ ...base, last: NOW - 24 * HOUR_MS })).toMatchObject({ ok: true, fix: "" });
    expect(judgeAge({ ...base, last: NOW - 24 * HOUR_MS - 1 })).toMatchObject({
      ok: false,
      fix: "npx nfl-pred backup",
    });
    expect(judgeAge({ ...base, last: undefined })).toMatchObject({ ok: false, detail: "no backup" });
  });

  it("says how old", () => {
    expect(judgeAge({ ...base, last: NOW - 3 * HOUR_MS }).detail).toBe(
      "latest backup 2024-10-20T15:00:00Z (3.0 h ago)",
    );
    expect(formatAge(50 * HOUR_MS)).toBe("2 d 2 h");
    expect(formatAge(12 * MIN)).toBe("12 min");
  });
});

describe("judgeFinalSnapshot", () => {
  const kickoff = Date.UTC(2024, 9, 20, 17, 0);
  const run = (snapshotAt: number, executedAt: number) => ({ season: 2024, week: 7, snapshotAt, executedAt });

  it("fails with no scheduled final stage", () => {
    expect(judgeFinalSnapshot([])).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/no scheduled final/),
    });
  });

  it("passes when the latest slot's T-60m ran between kickoff − 60 min and kickoff", () => {
    for (const at of [kickoff - 60 * MIN, kickoff - 5 * MIN, kickoff]) {
      expect(judgeFinalSnapshot([run(kickoff - 60 * MIN, at)]).ok).toBe(true);
    }
    expect(judgeFinalSnapshot([run(kickoff - 60 * MIN, kickoff - 55 * MIN)]).detail).toMatch(
      /kickoff 2024-10-20T17:00:00Z: T-60m ran 55 min before kickoff/,
    );
  });

  it("fails when it ran after kickoff (a replay) and names how late", () => {
    const r = judgeFinalSnapshot([run(kickoff - 60 * MIN, kickoff + 3 * HOUR_MS)]);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/first ran 3\.0 h after kickoff/);
  });

  it("judges only the latest slot, and an on-time run of it is not spoiled by a later replay", () => {
    const earlier = kickoff - 7 * 24 * HOUR_MS;
    const runs = [
      run(earlier - 60 * MIN, earlier + 10 * HOUR_MS),
      run(kickoff - 60 * MIN, kickoff - 30 * MIN),
      run(kickoff - 60 * MIN, kickoff + 48 * HOUR_MS),
    ];
    expect(judgeFinalSnapshot(runs).ok).toBe(true);
    expect(
      judgeFinalSnapshot([run(earlier - 60 * MIN, earlier - MIN), run(kickoff - 60 * MIN, kickoff + MIN)]).ok,
    ).toBe(false);
  });
});
