export { CHART_FONT_FAMILY, DEFAULT_FONT_DIRS, findChartFonts } from "./fonts.ts";
export { type RenderPngOptions, renderPng, renderSvg } from "./render.ts";
export {
  type BarChart,
  type BarDatum,
  barSpec,
  type LineChart,
  type LineSeries,
  lineSpec,
  type ReliabilityBin,
  type ReliabilityChart,
  reliabilitySpec,
} from "./specs.ts";
export { writePngAtomic } from "./write.ts";
