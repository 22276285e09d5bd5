import type { TopLevelSpec } from "vega-lite";

/** One calibration bin: mean predicted probability, observed win rate, and how many games fell in it. */
export interface ReliabilityBin {
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly count: number;
}

/** One calibration curve; its name labels the colour legend when a chart has more than one. */
export interface ReliabilitySeries {
  readonly name: string;
  readonly bins: readonly ReliabilityBin[];
}

export interface ReliabilityChart {
  readonly title: string;
  readonly series: readonly ReliabilitySeries[];
  /** Legend title of the point-size scale. */
  readonly countTitle?: string;
}

export interface BarDatum {
  readonly label: string;
  readonly value: number;
  readonly highlight?: boolean;
}

export interface BarChart {
  readonly title: string;
  /** Title of the value axis (horizontal). */
  readonly xTitle: string;
  /** Title of the label axis (vertical). */
  readonly yTitle: string;
  /** Bars are drawn top to bottom in this order. */
  readonly data: readonly BarDatum[];
  /** Draws a vertical rule at this value (e.g. the PSI alert level). */
  readonly threshold?: number;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly { readonly x: number | string; readonly y: number }[];
}

export interface LineChart {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly series: readonly LineSeries[];
  readonly legendTitle?: string;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const BASE_COLOR = "#4c78a8";
const HIGHLIGHT_COLOR = "#e45756";
const REFERENCE_COLOR = "#888888";
const WIDTH = 480;

/**
 * Reliability diagram: observed frequency against mean predicted probability per bin, points sized by
 * bin count, with the y = x diagonal of perfect calibration. Several series (e.g. cross-validation and
 * holdout) are drawn in their own colours with a legend. Empty or non-finite bins are left out.
 * @example renderPng(reliabilitySpec({ title: "2024", series: [{ name: "holdout", bins }] }))
 */
export function reliabilitySpec(chart: ReliabilityChart): TopLevelSpec {
  const axis = (field: string, title: string) => ({
    field,
    title,
    type: "quantitative" as const,
    scale: { domain: [0, 1] },
  });
  const x = axis("meanPredicted", "Predicted probability");
  const y = axis("observedRate", "Observed frequency");
  const values = chart.series.flatMap((s) =>
    s.bins
      .filter((b) => b.count > 0 && Number.isFinite(b.meanPredicted) && Number.isFinite(b.observedRate))
      .map((b) => ({
        series: s.name,
        meanPredicted: b.meanPredicted,
        observedRate: b.observedRate,
        count: b.count,
      })),
  );
  const color = {
    field: "series",
    type: "nominal" as const,
    sort: null,
    legend:
      chart.series.length > 1
        ? { title: null, orient: "bottom" as const, direction: "vertical" as const, labelLimit: 600 }
        : null,
  };
  return {
    $schema: SCHEMA,
    title: chart.title,
    width: 420,
    height: 420,
    layer: [
      {
        data: {
          values: [
            { meanPredicted: 0, observedRate: 0 },
            { meanPredicted: 1, observedRate: 1 },
          ],
        },
        mark: { type: "line", color: REFERENCE_COLOR, strokeDash: [4, 4] },
        encoding: { x, y },
      },
      {
        data: { values },
        mark: { type: "line" },
        encoding: { x, y, color },
      },
      {
        data: { values },
        mark: { type: "circle", opacity: 0.85 },
        encoding: {
          x,
          y,
          // The same colour encoding as the line: vega-lite merges the two into one legend (a differing
          // `legend` here would conflict and print a warning on every chart).
          color,
          size: { field: "count", type: "quantitative", title: chart.countTitle ?? "Games" },
        },
      },
    ],
  };
}

/**
 * Horizontal bar chart in the given order; highlighted bars in a second colour, and an optional
 * vertical rule at `threshold`. Used for PSI by feature and per-game feature contributions.
 * @example barSpec({ title: "PSI", xTitle: "PSI", yTitle: "Feature", data, threshold: 0.25 })
 */
export function barSpec(chart: BarChart): TopLevelSpec {
  const values = chart.data.map((d) => ({ label: d.label, value: d.value, highlight: d.highlight === true }));
  const bars = {
    mark: { type: "bar" },
    encoding: {
      y: { field: "label", type: "nominal", sort: null, title: chart.yTitle },
      x: { field: "value", type: "quantitative", title: chart.xTitle },
      color: { condition: { test: "datum.highlight", value: HIGHLIGHT_COLOR }, value: BASE_COLOR },
    },
  } as const;
  const threshold = chart.threshold;
  const rule =
    threshold === undefined
      ? []
      : [
          {
            mark: { type: "rule" as const, color: REFERENCE_COLOR, strokeDash: [4, 4], strokeWidth: 1.5 },
            encoding: { x: { datum: threshold, type: "quantitative" as const } },
          },
        ];
  return {
    $schema: SCHEMA,
    title: chart.title,
    width: WIDTH,
    height: { step: 22 },
    data: { values },
    layer: [bars, ...rule],
  };
}

/**
 * Multi-series line chart with points and a colour legend. Numeric x (e.g. seasons) is a linear axis
 * printed without thousands separators; string x is ordinal in first-seen order.
 * @example lineSpec({ title: "Rolling Brier", xTitle: "Week", yTitle: "Brier", series })
 */
export function lineSpec(chart: LineChart): TopLevelSpec {
  const values = chart.series.flatMap((s) => s.points.map((p) => ({ series: s.name, x: p.x, y: p.y })));
  const numericX = values.every((v) => typeof v.x === "number");
  const integerX = numericX && values.every((v) => Number.isInteger(v.x));
  const x = numericX
    ? {
        field: "x",
        type: "quantitative" as const,
        title: chart.xTitle,
        scale: { zero: false },
        axis: integerX ? { format: "d", tickMinStep: 1 } : {},
      }
    : { field: "x", type: "ordinal" as const, title: chart.xTitle, sort: null, axis: { labelAngle: 0 } };
  return {
    $schema: SCHEMA,
    title: chart.title,
    width: WIDTH,
    height: 300,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x,
      y: { field: "y", type: "quantitative", title: chart.yTitle, scale: { zero: false } },
      color: {
        field: "series",
        type: "nominal",
        sort: null,
        legend: { title: chart.legendTitle ?? null, orient: "bottom" },
      },
    },
  };
}
