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
  const NOW = kickoff + 30 * 24 * HOUR_MS;

  it("fails with no scheduled final stage", () => {
    expect(judgeFinalSnapshot([], NOW)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/no scheduled final/),
    });
  });

  it("passes when the latest slot's T-60m ran between kickoff − 60 min and kickoff", () => {
    for (const at of [kickoff - 60 * MIN, kickoff - 5 * MIN, kickoff]) {
      expect(judgeFinalSnapshot([run(kickoff - 60 * MIN, at)], NOW).ok).toBe(true);
    }
    expect(judgeFinalSnapshot([run(kickoff - 60 * MIN, kickoff - 55 * MIN)], NOW).detail).toMatch(
      /kickoff 2024-10-20T17:00:00Z: T-60m ran 55 min before kickoff/,
    );
  });

  it("fails when it ran after kickoff (a replay) and names how late", () => {
    const r = judgeFinalSnapshot([run(kickoff - 60 * MIN, kickoff + 3 * HOUR_MS)], NOW);
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
    expect(judgeFinalSnapshot(runs, NOW).ok).toBe(true);
    expect(
      judgeFinalSnapshot(
        [run(earlier - 60 * MIN, earlier - MIN), run(kickoff - 60 * MIN, kickoff + MIN)],
        NOW,
      ).ok,
    ).toBe(false);
  });

  it("ignores what cannot have happened by now: a slot still ahead, or a run recorded in the future", () => {
    const past = run(kickoff - 60 * MIN, kickoff - 30 * MIN);
    // A rehearsal of next week's slot under `snapshot --now` pretending to be on time.
    const next = kickoff + 7 * 24 * HOUR_MS;
    const pretended = run(next - 60 * MIN, next - 59 * MIN);
    const beforeNext = next - 24 * HOUR_MS;
    expect(judgeFinalSnapshot([past, pretended], beforeNext).detail).toMatch(/kickoff 2024-10-20T17:00:00Z/);
    // Between next week's T-60m and kickoff, a run recorded minutes from now has not happened yet.
    const during = next - 30 * MIN;
    const ahead = run(next - 60 * MIN, next - 5 * MIN);
    expect(judgeFinalSnapshot([past, ahead], during).detail).toMatch(/kickoff 2024-10-20T17:00:00Z/);
    expect(judgeFinalSnapshot([past, ahead], next).detail).toMatch(/kickoff 2024-10-27T17:00:00Z/);
    expect(judgeFinalSnapshot([pretended], beforeNext)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(
        /no scheduled final .*\(1 recorded ahead of now, under snapshot --now, do not count\)/,
      ),
    });
  });
});
