import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import type { TopLevelSpec } from "vega-lite";
import { afterAll, describe, expect, it } from "vitest";
import { isNflPredError } from "../domain/index.ts";
import {
  barSpec,
  CHART_FONT_FAMILY,
  findChartFonts,
  lineSpec,
  reliabilitySpec,
  renderPng,
  renderSvg,
  writePngAtomic,
} from "./index.ts";

const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts/charts");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SCALE = 2;

const examples: Record<string, TopLevelSpec> = {
  reliability: reliabilitySpec({
    title: "Reliability, 2023 holdout",
    series: [
      {
        name: "cross-validation (n = 360)",
        bins: [
          { meanPredicted: 0.12, observedRate: 0.1, count: 40 },
          { meanPredicted: 0.31, observedRate: 0.35, count: 80 },
          { meanPredicted: 0.5, observedRate: 0.47, count: 120 },
          { meanPredicted: 0.68, observedRate: 0.72, count: 90 },
          { meanPredicted: 0.86, observedRate: 0.83, count: 30 },
          { meanPredicted: 0.95, observedRate: Number.NaN, count: 0 },
        ],
      },
      {
        name: "holdout (n = 13)",
        bins: [
          { meanPredicted: 0.45, observedRate: 0.6, count: 5 },
          { meanPredicted: 0.7, observedRate: 0.75, count: 8 },
        ],
      },
    ],
  }),
  bar: barSpec({
    title: "PSI by feature, week 7",
    xTitle: "PSI",
    yTitle: "Feature",
    data: [
      { label: "elo_diff", value: 0.31, highlight: true },
      { label: "rest_days_diff", value: 0.12 },
      { label: "qb_epa_diff", value: 0.05 },
      { label: "home", value: 0.01 },
    ],
    threshold: 0.25,
  }),
  line: lineSpec({
    title: "Backtest Brier by season",
    xTitle: "Season",
    yTitle: "Brier score",
    legendTitle: "Model",
    series: [
      {
        name: "logistic",
        points: [
          { x: 2019, y: 0.221 },
          { x: 2020, y: 0.228 },
          { x: 2021, y: 0.219 },
        ],
      },
      {
        name: "xgboost",
        points: [
          { x: 2019, y: 0.225 },
          { x: 2020, y: 0.224 },
          { x: 2021, y: 0.223 },
        ],
      },
    ],
  }),
};

/** Same spec with every title (chart, axes, legends) emptied: the renders must then differ in text only. */
function withoutTitles(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTitles);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === "title" ? "" : withoutTitles(v)]),
  );
}

function pixelsOf(png: Buffer) {
  const img = new Resvg(wrapPng(png)).render();
  return { width: img.width, height: img.height, rgba: img.pixels };
}

/** resvg decodes PNG only as an <image> inside SVG; that is enough to read back our own output. */
function wrapPng(png: Buffer): string {
  const w = png.readUInt32BE(16);
  const h = png.readUInt32BE(20);
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}"><image width="${w}" height="${h}" xlink:href="data:image/png;base64,${png.toString("base64")}"/></svg>`;
}

function countDark(rgba: Buffer, width: number, rows: [number, number], cols: [number, number]): number {
  let n = 0;
  for (let y = rows[0]; y < rows[1]; y++) {
    for (let x = cols[0]; x < cols[1]; x++) {
      const i = (y * width + x) * 4;
      if (rgba[i]! < 110 && rgba[i + 1]! < 110 && rgba[i + 2]! < 110) n++;
    }
  }
  return n;
}

const timings: string[] = [];

afterAll(() => {
  if (timings.length > 0) console.log(`chart render times: ${timings.join(", ")}`);
});

describe("renderPng", () => {
  for (const [name, spec] of Object.entries(examples)) {
    it(`renders the ${name} chart to a legible PNG`, async () => {
      const t0 = performance.now();
      const png = await renderPng(spec, { scale: SCALE });
      timings.push(`${name} ${Math.round(performance.now() - t0)} ms`);
      await mkdir(ARTIFACTS, { recursive: true });
      await writePngAtomic(join(ARTIFACTS, `${name}.png`), png);

      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const { width, height, rgba } = pixelsOf(png);
      expect(width).toBeGreaterThan(200);
      expect(height).toBeGreaterThan(200);

      const blank = pixelsOf(await renderPng(withoutTitles(spec) as TopLevelSpec, { scale: SCALE }));
      const all = (w: number, h: number) => countDark(rgba, w, [0, h], [0, w]);
      const darkWith = all(width, height);
      const darkWithout = countDark(blank.rgba, blank.width, [0, blank.height], [0, blank.width]);
      // A title in bold at 2x is thousands of dark pixels; if resvg dropped text both counts would match.
      expect(darkWith - darkWithout).toBeGreaterThan(500);
      // The title band (top ~20 CSS px, centre of the chart) holds only the title's glyphs.
      const band = countDark(
        rgba,
        width,
        [0, 20 * SCALE],
        [Math.floor(width * 0.3), Math.floor(width * 0.7)],
      );
      expect(band).toBeGreaterThan(100);
    });
  }

  it("the text check above is real: without font files resvg drops all text", async () => {
    const spec = examples.line!;
    const noFonts = { scale: SCALE, fontFiles: [] };
    const a = pixelsOf(await renderPng(spec, noFonts));
    const b = pixelsOf(await renderPng(withoutTitles(spec) as TopLevelSpec, noFonts));
    const band = (p: typeof a) =>
      countDark(p.rgba, p.width, [0, 20 * SCALE], [Math.floor(p.width * 0.3), Math.floor(p.width * 0.7)]);
    expect(band(a)).toBe(0);
    expect(band(b)).toBe(0);
  });

  it("emits SVG <text> for the title, axis titles and tick labels in the chart font", async () => {
    const svg = await renderSvg(examples.reliability!);
    expect(svg).toContain("Reliability, 2023 holdout");
    expect(svg).toContain("Predicted probability");
    expect(svg).toContain("Observed frequency");
    expect(svg).toMatch(/<text[^>]*>0\.5<\/text>/);
    expect(svg).toContain(`font-family="${CHART_FONT_FAMILY}"`);
    expect(svg).not.toMatch(/font-family="sans-serif"/);
  });

  it("draws the threshold rule only when a threshold is given", async () => {
    const rules = (svg: string) => (svg.match(/class="mark-rule role-mark/g) ?? []).length;
    const withRule = await renderSvg(examples.bar!);
    const withoutRule = await renderSvg(
      barSpec({ title: "t", xTitle: "x", yTitle: "y", data: [{ label: "a", value: 1 }] }),
    );
    expect(rules(withRule)).toBeGreaterThan(0);
    expect(rules(withoutRule)).toBe(0);
  });

  it("rejects a nonsensical scale", async () => {
    await expect(renderPng(examples.bar!, { scale: 0 })).rejects.toMatchObject({ code: "USAGE" });
  });
});

describe("findChartFonts", () => {
  it("finds the regular and bold DejaVu Sans files", () => {
    const files = findChartFonts();
    expect(files.map((f) => f.split("/").pop())).toEqual(["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]);
  });

  it("names the package to install when no directory has the fonts", () => {
    try {
      findChartFonts(["/nonexistent/fonts"]);
      expect.unreachable();
    } catch (e) {
      expect(isNflPredError(e)).toBe(true);
      expect((e as Error & { hint: string }).hint).toContain("fonts-dejavu-core");
    }
  });
});

describe("writePngAtomic", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("replaces the target and leaves no temp file behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nfl-pred-charts-"));
    dirs.push(dir);
    const target = join(dir, "sub", "chart.png");
    await writePngAtomic(target, Buffer.from("first"));
    await writePngAtomic(target, Buffer.from("second"));
    expect((await readFile(target)).toString()).toBe("second");
    expect(await readdir(join(dir, "sub"))).toEqual(["chart.png"]);
  });
});
