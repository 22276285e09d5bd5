// Small inline-SVG charts: no library, no network, readable by tests and screen readers (each <svg> has
// a <title> and role="img").

const NS = "http://www.w3.org/2000/svg";
let uid = 0;

function el(tag, attrs = {}, children = []) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c);
  return e;
}

function label(x, y, str, attrs = {}) {
  const t = el("text", { x, y, ...attrs });
  t.textContent = str;
  return t;
}

/** Round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  let a = lo;
  let b = hi;
  if (!(b > a)) b = a + 1;
  const raw = (b - a) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  const step = (r >= 7.5 ? 10 : r >= 3.5 ? 5 : r >= 1.5 ? 2 : 1) * mag;
  a = Math.ceil(a / step - 1e-9) * step;
  const out = [];
  for (let v = a; v <= b + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function frame(kind, title, width, height) {
  const id = `chart-title-${++uid}`;
  const svg = el("svg", {
    class: "chart",
    "data-chart": kind,
    role: "img",
    "aria-labelledby": id,
    viewBox: `0 0 ${width} ${height}`,
  });
  const t = el("title", { id });
  t.textContent = title;
  svg.append(t);
  return svg;
}

function legend(svg, items, x0, y) {
  let x = x0;
  for (const it of items) {
    svg.append(
      el("line", {
        x1: x,
        x2: x + 18,
        y1: y,
        y2: y,
        stroke: it.color,
        "stroke-width": 2.5,
        "stroke-dasharray": it.dashed ? "5 3" : null,
      }),
    );
    const t = label(x + 22, y + 4, it.name);
    svg.append(t);
    x += 30 + it.name.length * 6.2;
  }
}

const fmt = (v, digits) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits));

/**
 * Lines and points over numeric x. `series`: [{ name, color, points: [{x, y, size?}], dashed?, dots? }];
 * points with y == null break the line. `xTicks`: [{ value, label }] for categorical axes.
 */
export function xyChart(opts) {
  const width = opts.width ?? 560;
  const height = opts.height ?? 300;
  const m = { top: 34, right: 18, bottom: 44, left: 58 };
  const svg = frame(opts.kind, opts.title, width, height);
  const pts = opts.series.flatMap((s) => s.points.filter((p) => p.y !== null && p.y !== undefined));
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y).concat((opts.refLines ?? []).map((r) => r.y));
  let [x0, x1] = opts.xDomain ?? [Math.min(...xs), Math.max(...xs)];
  if (!(x1 > x0)) {
    x0 -= 1;
    x1 += 1;
  }
  let [y0, y1] = opts.yDomain ?? [Math.min(...ys), Math.max(...ys)];
  if (!opts.yDomain) {
    const pad = (y1 - y0) * 0.12 || Math.abs(y0) * 0.05 || 0.05;
    y0 -= pad;
    y1 += pad;
  }
  const xspan = x1 - x0 || 1;
  const X = (v) => m.left + ((v - x0) / xspan) * (width - m.left - m.right);
  const Y = (v) => height - m.bottom - ((v - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);
  const grid = el("g", { class: "grid" });
  const axis = el("g", { class: "axis" });
  const yTicks = niceTicks(y0, y1, 5).filter((v) => v >= y0 - 1e-12 && v <= y1 + 1e-12);
  const step = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
  const digits = Math.max(0, Math.min(4, -Math.floor(Math.log10(step))));
  for (const v of yTicks) {
    grid.append(el("line", { x1: m.left, x2: width - m.right, y1: Y(v), y2: Y(v) }));
    axis.append(label(m.left - 6, Y(v) + 4, fmt(v, digits), { "text-anchor": "end" }));
  }
  const xAuto = niceTicks(x0, x1, 6);
  const xDigits =
    xAuto.length > 1 ? Math.max(0, Math.min(4, -Math.floor(Math.log10(xAuto[1] - xAuto[0])))) : 0;
  const xTicks = opts.xTicks ?? xAuto.map((v) => ({ value: v, label: fmt(v, xDigits) }));
  for (const t of xTicks) {
    if (t.value < x0 - 1e-9 || t.value > x1 + 1e-9) continue;
    grid.append(el("line", { x1: X(t.value), x2: X(t.value), y1: m.top, y2: height - m.bottom }));
    axis.append(label(X(t.value), height - m.bottom + 16, t.label, { "text-anchor": "middle" }));
  }
  axis.append(
    el("path", {
      d: `M${m.left},${m.top}V${height - m.bottom}H${width - m.right}`,
      fill: "none",
    }),
  );
  if (opts.xLabel) {
    axis.append(label((m.left + width - m.right) / 2, height - 8, opts.xLabel, { "text-anchor": "middle" }));
  }
  if (opts.yLabel) {
    axis.append(
      label(14, (m.top + height - m.bottom) / 2, opts.yLabel, {
        "text-anchor": "middle",
        transform: `rotate(-90 14 ${(m.top + height - m.bottom) / 2})`,
      }),
    );
  }
  svg.append(grid, axis);
  if (opts.diagonal) {
    svg.append(
      el("line", {
        x1: X(x0),
        y1: Y(Math.max(x0, y0)),
        x2: X(x1),
        y2: Y(Math.min(x1, y1)),
        stroke: "#8c959f",
        "stroke-dasharray": "4 4",
      }),
    );
  }
  for (const r of opts.refLines ?? []) {
    svg.append(
      el("line", {
        x1: m.left,
        x2: width - m.right,
        y1: Y(r.y),
        y2: Y(r.y),
        stroke: r.color,
        "stroke-dasharray": "2 4",
        "stroke-width": 1.5,
      }),
      label(width - m.right - 4, Y(r.y) - 5, r.name, { "text-anchor": "end", fill: r.color }),
    );
  }
  for (const s of opts.series) {
    let d = "";
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || p.y === undefined) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`;
      pen = true;
    }
    const g = el("g", { "data-series": s.name });
    if (d) {
      g.append(
        el("path", {
          d,
          fill: "none",
          stroke: s.color,
          "stroke-width": 2.2,
          "stroke-dasharray": s.dashed ? "6 4" : null,
        }),
      );
    }
    if (s.dots !== false) {
      for (const p of s.points) {
        if (p.y === null || p.y === undefined) continue;
        const c = el("circle", {
          cx: X(p.x).toFixed(1),
          cy: Y(p.y).toFixed(1),
          r: p.size ?? 3,
          fill: s.color,
          "fill-opacity": p.size ? 0.55 : 1,
          stroke: s.color,
        });
        if (p.tip) c.append(Object.assign(el("title"), { textContent: p.tip }));
        g.append(c);
      }
    }
    svg.append(g);
  }
  legend(
    svg,
    opts.series.map((s) => ({ name: s.name, color: s.color, dashed: s.dashed })),
    m.left,
    16,
  );
  return svg;
}

/** Reliability diagram: mean forecast vs observed home-win rate per bin, dot area by games. */
export function reliabilityChart(title, series) {
  const max = Math.max(1, ...series.flatMap((s) => s.bins.map((b) => b.count)));
  return xyChart({
    kind: "reliability",
    title,
    xLabel: "Predicted P(home win)",
    yLabel: "Observed home-win rate",
    xDomain: [0, 1],
    yDomain: [0, 1],
    diagonal: true,
    height: 340,
    series: series.map((s) => ({
      name: s.name,
      color: s.color,
      points: s.bins
        .filter((b) => b.count > 0)
        .map((b) => ({
          x: b.mean_predicted,
          y: b.observed_rate,
          size: 3 + 7 * Math.sqrt(b.count / max),
          tip: `${(b.lower * 100).toFixed(0)}–${(b.upper * 100).toFixed(0)}%: ${b.count} games, predicted ${(b.mean_predicted * 100).toFixed(1)}%, observed ${(b.observed_rate * 100).toFixed(1)}%`,
        })),
    })),
  });
}

/** Horizontal bars from zero: positive toward the home team, negative toward the away team. */
export function contributionChart(title, items, home, away) {
  const width = 620;
  const row = 22;
  const m = { top: 34, right: 64, bottom: 26, left: 190 };
  const awayColor = away.color.toLowerCase() === home.color.toLowerCase() ? away.color2 : away.color;
  const height = m.top + m.bottom + row * Math.max(1, items.length);
  const svg = frame("contributions", title, width, height);
  const lim = Math.max(0.05, ...items.map((i) => Math.abs(i.logit)));
  const X = (v) => m.left + ((v + lim) / (2 * lim)) * (width - m.left - m.right);
  svg.append(
    label(X(-lim), 18, `← ${away.abbr}`, { "text-anchor": "start", "font-weight": 700 }),
    label(X(lim), 18, `${home.abbr} →`, { "text-anchor": "end", "font-weight": 700 }),
    el("line", { x1: X(0), x2: X(0), y1: m.top - 6, y2: height - m.bottom + 4, stroke: "#8c959f" }),
  );
  items.forEach((it, i) => {
    const y = m.top + i * row;
    const x = Math.min(X(0), X(it.logit));
    const w = Math.abs(X(it.logit) - X(0));
    const g = el("g", { "data-feature": it.feature });
    g.append(
      label(m.left - 8, y + row / 2 + 4, it.feature, { "text-anchor": "end" }),
      el("rect", {
        x,
        y: y + 3,
        width: Math.max(1, w),
        height: row - 6,
        rx: 2,
        fill: it.logit >= 0 ? home.color : awayColor,
        stroke: "#57606a",
        "stroke-width": 0.5,
      }),
      label(width - 4, y + row / 2 + 4, `${it.logit >= 0 ? "+" : "−"}${Math.abs(it.logit).toFixed(3)}`, {
        "text-anchor": "end",
      }),
    );
    g.append(Object.assign(el("title"), { textContent: it.description }));
    svg.append(g);
  });
  svg.append(
    label(X(0), height - 6, "contribution to the home team's log-odds", { "text-anchor": "middle" }),
  );
  return svg;
}

/** A chart with its visible caption. */
export function figure(caption, svg) {
  const f = document.createElement("figure");
  const c = document.createElement("figcaption");
  c.textContent = caption;
  f.append(c, svg);
  return f;
}
