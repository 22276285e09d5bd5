import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  findMonitoringWeeks,
  loadMonitoringPage,
  parsePsiCsv,
  readDecision,
  readNotes,
} from "./monitoring.ts";

describe("monitoring outputs", () => {
  it("parses a PSI summary, largest first, falling back to the configured threshold", () => {
    const rows = parsePsiCsv(
      'feature,psi,threshold,breached\nelo_pre,0.05,0.2,false\n"rest_days",0.31,0.2,TRUE\nwind,,0.2,false\n',
      0.25,
    );
    expect(rows.map((r) => [r.feature, r.psi, r.breached])).toEqual([
      ["rest_days", 0.31, true],
      ["elo_pre", 0.05, false],
      ["wind", null, false],
    ]);
    const noFlags = parsePsiCsv("feature,psi\na,0.3\nb,0.1\n", 0.25);
    expect(noFlags.map((r) => [r.feature, r.threshold, r.breached])).toEqual([
      ["a", 0.25, true],
      ["b", 0.25, false],
    ]);
    expect(() => parsePsiCsv("name,value\na,1\n", 0.2)).toThrow(/feature and psi/);
  });

  it("finds the retrain decision under the usual names", () => {
    expect(readDecision({ retrain: true, reasons: ["5 features breached"] })).toEqual({
      retrain: true,
      reasons: ["5 features breached"],
      checks: [],
    });
    expect(readDecision({ decision: { triggered: false, reasons: [{ message: "fine" }] } })).toEqual({
      retrain: false,
      reasons: ["fine"],
      checks: [],
    });
    // The shape `nfl-pred monitor` writes.
    const monitor = {
      season: 2024,
      psi: { breached: [] },
      triggers: {
        triggered: false,
        reasons: [],
        checks: {
          brier: { status: "insufficient", detail: "not enough weeks", rollingBrier: null },
          psi: { status: "ok", detail: "2 of 40 features have PSI >= 0.2", breached: ["a", "b"] },
          ruleFlags: { status: "ok", detail: "no flag flipped", flipped: [] },
        },
      },
    };
    expect(readDecision(monitor)).toEqual({
      retrain: false,
      reasons: [],
      checks: [
        { name: "brier", status: "insufficient", detail: "not enough weeks" },
        { name: "psi", status: "ok", detail: "2 of 40 features have PSI >= 0.2" },
        { name: "ruleFlags", status: "ok", detail: "no flag flipped" },
      ],
    });
    expect(readDecision([1, 2])).toEqual({ retrain: null, reasons: [], checks: [] });
  });

  it("keeps the summary's notes that are text, and has none for an older summary", () => {
    expect(readNotes({ notes: ["3 of 9 monitored features breach PSI 0.2", 7, null] })).toEqual([
      "3 of 9 monitored features breach PSI 0.2",
    ]);
    expect(readNotes({ retrain: false })).toEqual([]);
    expect(readNotes({ notes: "not a list" })).toEqual([]);
    expect(readNotes(null)).toEqual([]);
  });

  it("lists week folders newest first and reads the chosen one", () => {
    const dir = mkdtempSync(join(tmpdir(), "nflpred-mon-"));
    const root = join(dir, "reports", "monitoring");
    for (const [s, w] of [
      ["2024", "week_07"],
      ["2024", "week_12"],
      ["2023", "week_3"],
    ] as const) {
      mkdirSync(join(root, `season_${s}`, w), { recursive: true });
    }
    mkdirSync(join(root, "season_x", "week_1"), { recursive: true });
    expect(findMonitoringWeeks(root).map((w) => `${w.season}/${w.week}`)).toEqual([
      "2024/12",
      "2024/7",
      "2023/3",
    ]);
    const wk = join(root, "season_2024", "week_07");
    writeFileSync(join(wk, "psi_summary_s2024_w7.csv"), "feature,psi,threshold,breached\na,0.4,0.2,true\n");
    writeFileSync(join(wk, "monitoring_s2024_w7.json"), '{"retrain": true, "reasons": ["a drifted"]}');
    const page = loadMonitoringPage(
      { season: 2024, week: 7 },
      {
        reportsDir: join(dir, "reports"),
        cwd: dir,
        psiThreshold: 0.2,
        now: Date.parse("2024-11-01T00:00:00Z"),
      },
    );
    expect(page.psi?.breached).toBe(1);
    expect(page.decision?.retrain).toBe(true);
    expect(page.dir).toBe(join("reports", "monitoring", "season_2024", "week_07"));
    const latest = loadMonitoringPage(undefined, {
      reportsDir: join(dir, "reports"),
      cwd: dir,
      psiThreshold: 0.2,
      now: Date.parse("2024-11-01T00:00:00Z"),
    });
    expect([latest.season, latest.week, latest.psi]).toEqual([2024, 12, null]);
    expect(latest.problems.join(" ")).toMatch(/no psi_summary_s2024_w12\.csv/);
    const none = loadMonitoringPage(
      { season: 2020, week: 1 },
      {
        reportsDir: join(dir, "reports"),
        cwd: dir,
        psiThreshold: 0.2,
        now: Date.parse("2024-11-01T00:00:00Z"),
      },
    );
    expect(none.setup?.commands[0]).toBe("npx nfl-pred monitor --season 2020 --week 1");
    const empty = loadMonitoringPage(undefined, {
      reportsDir: join(dir, "nothing"),
      cwd: dir,
      psiThreshold: 0.2,
      now: Date.parse("2025-02-01T00:00:00Z"),
    });
    expect(empty.setup?.commands[0]).toBe("npx nfl-pred monitor --season 2024 --week <week>");
  });
});
