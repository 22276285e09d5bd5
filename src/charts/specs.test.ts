import { compile, type TopLevelSpec } from "vega-lite";
import { describe, expect, it } from "vitest";
import { barSpec, lineSpec, reliabilitySpec } from "./index.ts";

/** Compiles a spec as the renderer does, recording what vega-lite would otherwise print as warnings. */
function compileRecording(spec: TopLevelSpec) {
  const warnings: unknown[] = [];
  const record = (...args: unknown[]) => {
    warnings.push(args);
    return logger;
  };
  const logger = {
    level: () => logger,
    warn: record,
    info: () => logger,
    debug: () => logger,
    error: record,
  };
  return { warnings, vega: compile(spec, { logger }).spec };
}

type Layered = {
  layer: { data?: { values: unknown[] }; encoding: Record<string, Record<string, unknown>> }[];
};

describe("reliabilitySpec", () => {
  it("drops empty bins and fixes both axes to [0, 1] with the agreed titles", () => {
    const spec = reliabilitySpec({
      title: "R",
      series: [
        {
          name: "only",
          bins: [
            { meanPredicted: 0.2, observedRate: 0.25, count: 10 },
            { meanPredicted: 0.9, observedRate: Number.NaN, count: 0 },
          ],
        },
      ],
    }) as unknown as Layered & { title: string };
    expect(spec.title).toBe("R");
    const [diagonal, line, points] = spec.layer;
    expect(diagonal!.data!.values).toEqual([
      { meanPredicted: 0, observedRate: 0 },
      { meanPredicted: 1, observedRate: 1 },
    ]);
    expect(line!.data!.values).toEqual([
      { series: "only", meanPredicted: 0.2, observedRate: 0.25, count: 10 },
    ]);
    expect(points!.encoding.size).toMatchObject({ field: "count" });
    // One curve needs no colour legend.
    expect(line!.encoding.color).toMatchObject({ field: "series", legend: null });
    for (const layer of spec.layer) {
      expect(layer.encoding.x).toMatchObject({ title: "Predicted probability", scale: { domain: [0, 1] } });
      expect(layer.encoding.y).toMatchObject({ title: "Observed frequency", scale: { domain: [0, 1] } });
    }
  });

  it("gives each series its own colour and names them in a legend, points sized but not listed twice", () => {
    const bin = (meanPredicted: number, count: number) => ({ meanPredicted, observedRate: 0.5, count });
    const spec = reliabilitySpec({
      title: "R",
      series: [
        { name: "cv (n = 30)", bins: [bin(0.3, 10), bin(0.6, 20)] },
        { name: "holdout (n = 5)", bins: [bin(0.55, 5)] },
      ],
    }) as unknown as Layered;
    const [, line, points] = spec.layer;
    expect(line!.data!.values.map((v) => (v as { series: string }).series)).toEqual([
      "cv (n = 30)",
      "cv (n = 30)",
      "holdout (n = 5)",
    ]);
    expect(line!.encoding.color).toMatchObject({ field: "series", legend: { orient: "bottom" } });
    expect(points!.encoding.color).toEqual(line!.encoding.color);
  });

  it("compiles without warnings to one colour legend and one size legend", () => {
    const bin = (meanPredicted: number, count: number) => ({ meanPredicted, observedRate: 0.5, count });
    const spec = reliabilitySpec({
      title: "R",
      series: [
        { name: "cv", bins: [bin(0.3, 10)] },
        { name: "holdout", bins: [bin(0.55, 5)] },
      ],
    });
    const { warnings, vega } = compileRecording(spec);
    const legends = vega.legends ?? [];
    expect(warnings).toEqual([]);
    expect(legends.map((l) => ((l.fill ?? l.stroke) ? "colour" : l.size ? "size" : "other"))).toEqual([
      "colour",
      "size",
    ]);
  });
});

describe("barSpec", () => {
  it("keeps input order and marks highlights as booleans", () => {
    const spec = barSpec({
      title: "t",
      xTitle: "PSI",
      yTitle: "Feature",
      data: [
        { label: "b", value: 2, highlight: true },
        { label: "a", value: 1 },
      ],
    }) as unknown as Layered & { data: { values: unknown[] } };
    expect(spec.data.values).toEqual([
      { label: "b", value: 2, highlight: true },
      { label: "a", value: 1, highlight: false },
    ]);
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0]!.encoding.y).toMatchObject({ sort: null, title: "Feature" });
    expect(spec.layer[0]!.encoding.x).toMatchObject({ title: "PSI" });
  });
});

describe("lineSpec", () => {
  const series = (xs: (number | string)[]) => [{ name: "m", points: xs.map((x, i) => ({ x, y: i })) }];
  type Enc = { encoding: { x: Record<string, unknown> } };

  it("uses a linear axis without thousands separators for integer x (seasons)", () => {
    const spec = lineSpec({ title: "t", xTitle: "Season", yTitle: "B", series: series([2019, 2020]) }) as Enc;
    expect(spec.encoding.x).toMatchObject({ type: "quantitative", axis: { format: "d" } });
  });

  it("uses an ordinal axis in first-seen order for string x", () => {
    const spec = lineSpec({ title: "t", xTitle: "Week", yTitle: "B", series: series(["W2", "W1"]) }) as Enc;
    expect(spec.encoding.x).toMatchObject({ type: "ordinal", sort: null });
  });
});

describe("every chart kind", () => {
  it("compiles without a vega-lite warning (they would be printed on every run)", () => {
    const bins = [{ meanPredicted: 0.4, observedRate: 0.5, count: 3 }];
    const specs = [
      reliabilitySpec({ title: "one", series: [{ name: "only", bins }] }),
      barSpec({ title: "b", xTitle: "x", yTitle: "y", data: [{ label: "a", value: 1 }], threshold: 0.5 }),
      lineSpec({
        title: "l",
        xTitle: "Season",
        yTitle: "B",
        series: [{ name: "m", points: [{ x: 2020, y: 1 }] }],
      }),
      lineSpec({
        title: "l",
        xTitle: "Week",
        yTitle: "B",
        series: [{ name: "m", points: [{ x: "W1", y: 1 }] }],
      }),
    ];
    for (const spec of specs) expect(compileRecording(spec).warnings).toEqual([]);
  });
});
