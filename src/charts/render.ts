import { Resvg } from "@resvg/resvg-js";
import { parse, View } from "vega";
import type { TopLevelSpec } from "vega-lite";
import { compile } from "vega-lite";
import { NflPredError } from "../domain/index.ts";
import { CHART_FONT_FAMILY, findChartFonts } from "./fonts.ts";

export interface RenderPngOptions {
  /** Pixel density: 2 gives a 960 px wide PNG for a 480 px chart. Default 2. */
  readonly scale?: number;
  /** Font files for resvg; default: DejaVu Sans found by `findChartFonts()`. */
  readonly fontFiles?: readonly string[];
}

let defaultFonts: string[] | undefined;

function chartFonts(): string[] {
  defaultFonts ??= findChartFonts();
  return defaultFonts;
}

/**
 * Compiles a vega-lite spec and renders it headless (no browser, no canvas) to an SVG string.
 * The font is forced to DejaVu Sans so the SVG matches the fonts resvg is given.
 * @example const svg = await renderSvg(lineSpec({ title, xTitle, yTitle, series }));
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withFont = { ...spec, config: { ...spec.config, font: CHART_FONT_FAMILY } } as TopLevelSpec;
  let view: View | undefined;
  try {
    view = new View(parse(compile(withFont).spec), { renderer: "none" });
    return await view.toSVG();
  } catch (cause) {
    throw new NflPredError("CONTRACT", `chart could not be rendered: ${(cause as Error).message}`, { cause });
  } finally {
    view?.finalize();
  }
}

/**
 * Renders a vega-lite spec to PNG bytes via resvg, with the chart fonts loaded explicitly.
 * @example await writePngAtomic("reports/reliability.png", await renderPng(reliabilitySpec({ title, bins })));
 */
export async function renderPng(spec: TopLevelSpec, opts: RenderPngOptions = {}): Promise<Buffer> {
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) {
    throw new NflPredError("USAGE", `chart scale must be in (0, 8], got ${scale}`, { value: String(scale) });
  }
  const fontFiles = opts.fontFiles ?? chartFonts();
  const svg = await renderSvg(spec);
  const resvg = new Resvg(svg, {
    font: { fontFiles: [...fontFiles], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  return resvg.render().asPng();
}
