// The dashboard's pages. Each page makes exactly one request to its /api endpoint and renders the answer
// with DOM calls (textContent only: nothing from the data is parsed as HTML).
import { contributionChart, figure, reliabilityChart, xyChart } from "./charts.js";

const COLORS = { model: "#1f6feb", elo: "#8250df", market: "#bc4c00", backtest: "#57606a" };
const SOURCE_NAMES = { model: "model", elo: "Elo", market: "market" };

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "style") Object.assign(e.style, v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** Appends the nodes that exist: sections that have nothing to show pass null. */
function add(parent, ...kids) {
  parent.append(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
}

class ApiError extends Error {
  constructor(status, message, hint) {
    super(message);
    this.status = status;
    this.hint = hint;
  }
}

async function api(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(res.status, body?.error?.message ?? `HTTP ${res.status}`, body?.error?.hint);
  }
  return body;
}

const localFmt = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
});

const local = (iso) => localFmt.format(new Date(iso));
const utc = (iso) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const pct = (p, digits = 1) => (p === null || p === undefined ? "–" : `${(p * 100).toFixed(digits)}%`);
const dec = (v, digits = 4) => (v === null || v === undefined || Number.isNaN(v) ? "–" : v.toFixed(digits));

function setupCard(setup) {
  if (!setup) return null;
  return h(
    "div",
    { class: "panel setup", dataset: { setup: "" } },
    h("strong", {}, setup.message),
    setup.commands.length > 0 ? h("div", { class: "muted small" }, "Run first:") : null,
    setup.commands.length > 0 ? h("pre", {}, setup.commands.join("\n")) : null,
  );
}

// Plain-text notes as a list; nothing when there are none.
function notesList(items, dataset = {}) {
  return items.length === 0
    ? null
    : h(
        "ul",
        { class: "notes", dataset },
        items.map((n) => h("li", {}, n)),
      );
}

// A finding about the week with the command that answers it: `{count, detail, fix}` from the API, or null.
function noticeCard(m, key, title, text, lead) {
  if (!m) return null;
  return h(
    "div",
    { class: "panel setup", dataset: { [key]: String(m.count) } },
    h("strong", {}, title),
    h("div", {}, text(m.detail)),
    h("div", { class: "muted small" }, lead),
    h("pre", {}, m.fix),
  );
}

// Features built for this week now would count these games as not played, so its snapshots would rest on
// stale ratings: the same warning snapshot and predict print.
const resultsMissingCard = (m) =>
  noticeCard(
    m,
    "resultsMissing",
    "Results missing before this week",
    (d) => `${d}: features built now count them as not played.`,
    "Unless they were never completed, refresh the results:",
  );

// Past games replayed with a later model: it learned these results, so "picks right" on the week view and
// the season's scores on the model view flatter it. The same note predict, snapshot and report print.
const inSampleCard = (m, flattered) =>
  noticeCard(
    m,
    "inSample",
    "In-sample predictions",
    (d) => `${d}. ${flattered} in-sample.`,
    "What models trained before each week said:",
  );

function errorCard(e) {
  return h(
    "div",
    { class: "panel error", dataset: { error: String(e.status ?? "") } },
    h("strong", {}, e.message),
    e.hint ? h("div", { class: "muted" }, e.hint) : null,
    h("div", { class: "small" }, h("a", { href: "/" }, "Back to this week")),
  );
}

function teamTag(t, opts = {}) {
  return h(
    "span",
    { class: "team", title: t.name },
    h("span", { class: "swatch", style: { background: t.color, borderColor: t.color2 } }),
    opts.short ? t.abbr : t.name,
  );
}

function pBar(p, home, away) {
  return h(
    "div",
    { class: "pbar", title: `P(${home.abbr} win) ${pct(p)}` },
    h("span", { style: { width: `${(p * 100).toFixed(1)}%`, background: home.color } }),
    h("span", { style: { width: `${(100 - p * 100).toFixed(1)}%`, background: away.color } }),
    h("span", { class: "label" }, `${home.abbr} ${pct(p, 0)}`),
  );
}

function table(head, rows, attrs = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      attrs,
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((c) => (typeof c === "string" ? h("th", {}, c) : h("th", { class: c.cls }, c.label))),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}

/** Games and the Brier of model, Elo and market: the columns the backtest tables share. */
const BRIER_HEADS = [
  { label: "Games", cls: "num" },
  { label: "Model Brier", cls: "num" },
  { label: "Elo Brier", cls: "num" },
  { label: "Market Brier", cls: "num" },
];
const brierCells = (scores) => [
  h("td", { class: "num" }, scores.model?.n ?? 0),
  ...["model", "elo", "market"].map((k) => h("td", { class: "num" }, dec(scores[k]?.brier))),
];

/** A calibration slope with its standard error: `0.79 ± 0.06`. */
const slopeText = (s) => (s ? `${s.value.toFixed(2)}${s.se === null ? "" : ` ± ${s.se.toFixed(2)}`}` : "–");

/** The backtest by phase of the season: where the model is weak, and whether it is too confident there. */
function phaseSection(rows) {
  return [
    h("h2", {}, "Backtest by phase of the season"),
    h(
      "p",
      { class: "muted small" },
      "Calibration slope ± its standard error: 1 is calibrated; below 1 the probabilities sit too far from 50% (too confident), above 1 too close to it. A slope from a few dozen games says little.",
    ),
    table(
      [
        "Phase",
        ...BRIER_HEADS,
        { label: "Model slope", cls: "num" },
        { label: "Elo slope", cls: "num" },
        { label: "Market slope", cls: "num" },
      ],
      rows.map((r) =>
        h(
          "tr",
          { "data-phase": r.phase },
          h("td", {}, r.phase),
          brierCells(r),
          ["model", "elo", "market"].map((k) => h("td", { class: "num" }, slopeText(r.slope[k]))),
        ),
      ),
      { "data-backtest-phases": "" },
    ),
  ];
}

function stagePills(ladder) {
  return h(
    "div",
    { class: "ladder" },
    ladder.map((s) =>
      h(
        "span",
        {
          class: `stage ${s.status}`,
          title: `${s.stage} at ${utc(s.stage_time)}: ${s.status.replace("_", " ")}`,
          dataset: { stage: s.stage, status: s.status },
        },
        s.stage.replace("T-", ""),
      ),
    ),
  );
}

function reasonList(reasons, home, away) {
  // Reasons under 0.03 logit are not stored (see MIN_REASON_LOGIT): a close call can have none.
  if (reasons.length === 0) return h("span", { class: "muted" }, "no feature moves it by 0.03 logit or more");
  return h(
    "ul",
    { class: "reasons" },
    reasons.map((r) =>
      h(
        "li",
        { title: r.description },
        `${r.feature}${r.missing ? " (missing)" : ""} → ${r.logit >= 0 ? home.abbr : away.abbr} (${r.logit >= 0 ? "+" : "−"}${Math.abs(r.logit).toFixed(2)})`,
      ),
    ),
  );
}

// ---------------------------------------------------------------- This week

async function weekPage(main, params) {
  const q =
    params.get("season") && params.get("week")
      ? `?season=${params.get("season")}&week=${params.get("week")}`
      : "";
  const d = await api(`/api/predictions${q}`);
  if (d.season === null) {
    add(main, h("div", { class: "page-head" }, h("h1", {}, "This week")), setupCard(d.setup));
    return;
  }
  const weekLink = (w, text) => (w ? h("a", { href: `/?season=${w.season}&week=${w.week}` }, text) : null);
  const form = h(
    "form",
    { method: "get", action: "/" },
    h("label", {}, "Season ", h("input", { name: "season", type: "number", value: d.season, min: 1999 })),
    h("label", {}, "Week ", h("input", { name: "week", type: "number", value: d.week, min: 1, max: 22 })),
    h("button", { type: "submit" }, "Go"),
  );
  add(
    main,
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, `Season ${d.season} · Week ${d.week}`),
      h(
        "div",
        { class: "weeknav" },
        weekLink(d.prev, `← Week ${d.prev?.week}`),
        form,
        weekLink(d.next, `Week ${d.next?.week} →`),
      ),
    ),
  );
  const s = d.summary;
  add(
    main,
    h(
      "p",
      { class: "summary" },
      `${s.games} games · ${s.predicted} predicted`,
      s.final > 0 ? ` · picks right ${s.correct}/${s.final}` : "",
      s.models.length > 0 ? ` · model ${s.models.join(", ")}` : "",
      ` · stages ${d.stages.map((x) => x.name).join(", ")}`,
    ),
  );
  add(main, resultsMissingCard(d.results_missing));
  add(main, inSampleCard(d.in_sample, "Their picks and the count of right picks are"));
  if (d.setup) add(main, setupCard(d.setup));
  const rows = d.games.map((g) => {
    const p = g.prediction;
    const final = g.home_score !== null && g.away_score !== null;
    return h(
      "tr",
      { dataset: { gameId: g.game_id } },
      h(
        "td",
        { class: "kick" },
        h("div", { class: "local" }, local(g.kickoff_utc)),
        h("div", { class: "utc" }, utc(g.kickoff_utc)),
      ),
      h(
        "td",
        {},
        h(
          "a",
          { href: `/game/${g.game_id}`, class: "matchup", title: `Open ${g.game_id}` },
          h("span", {}, teamTag(g.away), final ? h("span", { class: "score" }, g.away_score) : null),
          h("span", { class: "at" }, g.neutral_site ? "vs (neutral site)" : "at"),
          h("span", {}, teamTag(g.home), final ? h("span", { class: "score" }, g.home_score) : null),
        ),
      ),
      h(
        "td",
        {},
        p ? pBar(p.p_home_win, g.home, g.away) : h("span", { class: "muted" }, "not predicted"),
        g.market_p_home !== null ? h("div", { class: "market" }, `market ${pct(g.market_p_home)}`) : null,
      ),
      h(
        "td",
        {},
        p ? h("span", { class: "pick" }, p.pick) : "–",
        g.pick_correct === true ? h("span", { class: "right", title: "pick was right" }, " ✓") : null,
        g.pick_correct === false ? h("span", { class: "wrong", title: "pick was wrong" }, " ✗") : null,
      ),
      h("td", {}, p ? h("span", { class: `tier tier-${p.tier}` }, p.tier) : "–"),
      h("td", {}, p ? reasonList(p.reasons, g.home, g.away) : "–"),
      h(
        "td",
        { class: "small" },
        p ? h("div", { class: "mono model-id", title: p.feature_set }, p.model_id) : "–",
        p
          ? h(
              "div",
              {
                class: "muted",
                title: p.rehearsal
                  ? `stored ahead of ${p.stage}'s own time: a rehearsal, not the stage's run`
                  : undefined,
                "data-rehearsal": p.rehearsal ? "" : undefined,
              },
              `${p.stage}${p.rehearsal ? " rehearsal" : ""} · as of ${utc(p.asof_ts)}`,
            )
          : null,
      ),
      h("td", {}, stagePills(g.ladder)),
    );
  });
  add(
    main,
    table(
      ["Kickoff", "Matchup", "P(home win)", "Pick", "Tier", "Top reasons", "Model · stage", "Ladder"],
      rows,
      { class: "games" },
    ),
  );
}

// ---------------------------------------------------------------- Game

async function gamePage(main, _params, gameId) {
  const d = await api(`/api/game?game_id=${encodeURIComponent(gameId)}`);
  if (!d.game) {
    add(main, setupCard(d.setup));
    return;
  }
  const g = d.game;
  const final = g.home_score !== null && g.away_score !== null;
  add(
    main,
    h(
      "div",
      { class: "game-head" },
      h(
        "h1",
        { class: "big" },
        teamTag(g.away),
        final ? h("span", { class: "score" }, g.away_score) : null,
        h("span", { class: "muted" }, g.neutral_site ? " vs " : " at "),
        teamTag(g.home),
        final ? h("span", { class: "score" }, g.home_score) : null,
      ),
      h(
        "div",
        {},
        h("div", {}, `${local(g.kickoff_utc)} · ${utc(g.kickoff_utc)}`),
        h(
          "div",
          { class: "muted" },
          `${g.stadium ?? "stadium unknown"} · season ${g.season} week ${g.week} · `,
          h("a", { href: `/?season=${g.season}&week=${g.week}` }, "back to the week"),
        ),
      ),
    ),
  );
  if (d.setup) add(main, setupCard(d.setup));
  const last = d.predictions.at(-1);
  const elo60 = d.ladder.findLast((s) => s.p_elo !== null)?.p_elo ?? null;
  const kpi = (k, v, sub) =>
    h(
      "div",
      { class: "kpi" },
      h("div", { class: "k" }, k),
      h("div", { class: "v" }, v),
      sub ? h("div", { class: "muted small" }, sub) : null,
    );
  add(
    main,
    h(
      "div",
      { class: "kpis" },
      kpi(
        `Model P(${g.home.abbr} win)`,
        pct(last?.p_home_win),
        last ? `${last.stage} · ${last.tier} · pick ${last.pick}` : "no prediction",
      ),
      kpi(
        "Market (moneyline, vig-free)",
        pct(d.market.p_home_moneyline),
        g.home_moneyline !== null
          ? `${g.home.abbr} ${g.home_moneyline} / ${g.away.abbr} ${g.away_moneyline}`
          : "no line",
      ),
      kpi(
        "Market (spread)",
        pct(d.market.p_home_spread),
        g.spread_line !== null
          ? `${g.home.abbr} ${g.spread_line > 0 ? "−" : "+"}${Math.abs(g.spread_line)}`
          : "no spread",
      ),
      kpi("Elo", pct(elo60), "at the latest stage with features"),
      kpi(
        "Result",
        final
          ? g.home_win === 1
            ? `${g.home.abbr} won`
            : g.home_win === 0
              ? `${g.away.abbr} won`
              : "tie"
          : "not final",
        final ? `${g.away_score}–${g.home_score}` : null,
      ),
    ),
  );
  const stages = d.ladder.map((s, i) => ({ ...s, i }));
  const series = [
    {
      name: "model",
      color: COLORS.model,
      points: stages.map((s) => ({
        x: s.i,
        y: s.p_model,
        tip: `${s.stage}: ${pct(s.p_model)} (${s.p_model_source === "rescored" ? "stored features, re-scored" : s.p_model_source})`,
      })),
    },
    { name: "Elo", color: COLORS.elo, dashed: true, points: stages.map((s) => ({ x: s.i, y: s.p_elo })) },
  ];
  if (stages.some((s) => s.p_market !== null)) {
    series.push({
      name: "market (features)",
      color: COLORS.market,
      points: stages.map((s) => ({ x: s.i, y: s.p_market })),
    });
  }
  const refLines =
    d.market.p_home_moneyline !== null
      ? [
          {
            y: d.market.p_home_moneyline,
            color: COLORS.market,
            name: `closing market ${pct(d.market.p_home_moneyline)}`,
          },
        ]
      : [];
  const hasPoints = series.some((s) => s.points.some((p) => p.y !== null)) || refLines.length > 0;
  const grid = h("div", { class: "grid2" });
  if (hasPoints) {
    grid.append(
      figure(
        `P(${g.home.abbr} win) across the ladder`,
        xyChart({
          kind: "ladder",
          title: `Probability that ${g.home.name} win, by snapshot stage`,
          series,
          refLines,
          xDomain: [0, stages.length - 1],
          xTicks: stages.map((s) => ({ value: s.i, label: s.stage })),
          xLabel: "Snapshot stage (time before kickoff)",
          yLabel: `P(${g.home.abbr} win)`,
        }),
      ),
    );
  }
  grid.append(
    table(
      [
        "Stage",
        "Stage time",
        "Status",
        { label: "Model", cls: "num" },
        "Source",
        { label: "Elo", cls: "num" },
        { label: "Market", cls: "num" },
      ],
      d.ladder.map((s) =>
        h(
          "tr",
          { dataset: { stage: s.stage } },
          h("td", {}, s.stage),
          h(
            "td",
            { class: "small" },
            h("div", {}, local(s.stage_time)),
            h("div", { class: "muted" }, utc(s.stage_time)),
          ),
          h("td", {}, h("span", { class: `stage ${s.status}` }, s.status.replace("_", " "))),
          h("td", { class: "num" }, pct(s.p_model)),
          h(
            "td",
            { class: "small muted" },
            s.p_model_source === "rescored" ? "stored features, re-scored" : (s.p_model_source ?? ""),
          ),
          h("td", { class: "num" }, pct(s.p_elo)),
          h("td", { class: "num" }, pct(s.p_market)),
        ),
      ),
    ),
  );
  add(main, h("h2", {}, "Probability across the snapshot ladder"), grid);
  add(main, notesList(d.notes));
  if (d.contributions && d.contributions.items.length > 0) {
    const c = d.contributions;
    const shown = c.items.slice(0, 20);
    add(
      main,
      h("h2", {}, `Feature contributions at ${c.stage}`),
      h(
        "p",
        { class: "muted small" },
        `${c.source === "rescored" ? "Every feature's contribution from the stored features" : "The stored top reasons"} (log-odds toward ${g.home.abbr}; model ${d.model_id}, snapshot ${utc(c.snapshot_at)}).`,
      ),
      h(
        "div",
        { class: "grid2" },
        figure(
          `What moved P(${g.home.abbr} win)`,
          contributionChart(`Feature contributions for ${g.game_id}`, shown, g.home, g.away),
        ),
        table(
          [
            "Feature",
            { label: "Contribution", cls: "num" },
            { label: g.home.abbr, cls: "num" },
            { label: g.away.abbr, cls: "num" },
          ],
          c.items.map((it) =>
            h(
              "tr",
              { title: it.description },
              h("td", { class: "mono" }, it.feature),
              h("td", { class: "num" }, `${it.logit >= 0 ? "+" : "−"}${Math.abs(it.logit).toFixed(3)}`),
              h("td", { class: "num" }, it.home_value === null ? "" : dec(it.home_value, 3)),
              h("td", { class: "num" }, it.away_value === null ? "" : dec(it.away_value, 3)),
            ),
          ),
        ),
      ),
    );
  }
  if (d.predictions.length > 0) {
    add(
      main,
      h("h2", {}, "Stored predictions"),
      table(
        ["Stage", "Snapshot", "Model", { label: `P(${g.home.abbr})`, cls: "num" }, "Pick", "Tier", "Stored"],
        d.predictions.map((p) =>
          h(
            "tr",
            {},
            h("td", {}, p.stage),
            h("td", { class: "small" }, utc(p.snapshot_at)),
            h("td", { class: "mono" }, p.model_id),
            h("td", { class: "num" }, pct(p.p_home_win)),
            h("td", {}, p.pick),
            h("td", {}, h("span", { class: `tier tier-${p.tier}` }, p.tier)),
            h("td", { class: "small muted" }, utc(p.created_at)),
          ),
        ),
      ),
    );
  }
}

// ---------------------------------------------------------------- Model

function scoreRows(totals) {
  return ["model", "elo", "market"].map((k) => {
    const s = totals[k];
    return h(
      "tr",
      { dataset: { source: k } },
      h("td", {}, h("span", { class: "swatch", style: { background: COLORS[k] } }), ` ${SOURCE_NAMES[k]}`),
      h("td", { class: "num" }, s ? s.n : 0),
      h("td", { class: "num" }, dec(s?.brier)),
      h("td", { class: "num" }, dec(s?.log_loss)),
      h("td", { class: "num" }, s ? pct(s.accuracy) : "–"),
    );
  });
}

const SCORE_HEAD = [
  "Source",
  { label: "Games", cls: "num" },
  { label: "Brier", cls: "num" },
  { label: "Log loss", cls: "num" },
  { label: "Accuracy", cls: "num" },
];

function curveCharts(view, label, rollingWeeks) {
  const chart = (window, metric, title) =>
    figure(
      title,
      xyChart({
        kind: `${window}-${metric}`,
        title: `${title} (${label})`,
        xLabel: "Week",
        yLabel: metric === "brier" ? "Brier (lower is better)" : "Log loss (lower is better)",
        series: ["model", "elo", "market"].map((k) => ({
          name: SOURCE_NAMES[k],
          color: COLORS[k],
          dashed: k !== "model",
          points: view.weekly.map((w) => ({ x: w.week, y: w[window][k]?.[metric] ?? null })),
        })),
        xTicks: view.weekly.map((w) => ({ value: w.week, label: String(w.week) })),
      }),
    );
  return h(
    "div",
    { class: "grid2 wide" },
    chart("season_to_date", "brier", "Season-to-date Brier"),
    chart("rolling", "brier", `Rolling ${rollingWeeks}-week Brier`),
    chart("season_to_date", "log_loss", "Season-to-date log loss"),
    chart("rolling", "log_loss", `Rolling ${rollingWeeks}-week log loss`),
  );
}

async function modelPage(main, params) {
  const q = new URLSearchParams();
  if (params.get("season")) q.set("season", params.get("season"));
  if (params.get("run_id")) q.set("run_id", params.get("run_id"));
  const qs = q.toString();
  const d = await api(`/api/model${qs ? `?${qs}` : ""}`);
  add(
    main,
    h("div", { class: "page-head" }, h("h1", {}, d.season === null ? "Model" : `Model · season ${d.season}`)),
  );
  if (d.setup) add(main, setupCard(d.setup));
  add(
    main,
    inSampleCard(d.in_sample, "The season's stored-prediction scores, curves and reliability below are"),
  );
  const seasons = [
    ...new Set([...d.live_seasons, ...(d.backtest?.by_season.map((s) => s.season) ?? [])]),
  ].sort((a, b) => a - b);
  if (seasons.length > 0) {
    const runQ = params.get("run_id") ? `&run_id=${encodeURIComponent(params.get("run_id"))}` : "";
    add(
      main,
      h(
        "div",
        { class: "pills" },
        seasons.map((s) =>
          h("a", { href: `/model?season=${s}${runQ}`, class: s === d.season ? "current" : "" }, String(s)),
        ),
      ),
    );
  }
  const seasonView = d.live ?? d.backtest?.season;
  const seasonLabel = d.live ? `stored predictions, season ${d.season}` : `backtest, season ${d.season}`;
  const relSeries = [];
  if (d.live)
    relSeries.push({
      name: `season ${d.season} (n=${d.live.n})`,
      color: COLORS.model,
      bins: d.live.reliability,
    });
  if (d.backtest)
    relSeries.push({
      name: `backtest (n=${d.backtest.totals.model?.n ?? 0})`,
      color: COLORS.backtest,
      bins: d.backtest.reliability,
    });
  if (relSeries.length > 0) {
    add(
      main,
      h("h2", {}, "Calibration"),
      h(
        "div",
        { class: "grid2" },
        figure(
          "Reliability diagram",
          reliabilityChart(
            `Reliability: predicted vs observed home-win rate (${relSeries.map((s) => s.name).join("; ")})`,
            relSeries,
          ),
        ),
        h(
          "div",
          {},
          d.live ? h("h3", {}, `Season ${d.season} to date — stored predictions`) : null,
          d.live ? table(SCORE_HEAD, scoreRows(d.live.totals)) : null,
          d.live
            ? h(
                "p",
                { class: "muted small" },
                `Models: ${d.live.models.join(", ")}. Latest prediction before kickoff per game; market = vig-free closing moneyline.`,
              )
            : null,
          d.backtest ? h("h3", {}, "Backtest, all seasons") : null,
          d.backtest ? table(SCORE_HEAD, scoreRows(d.backtest.totals)) : null,
        ),
      ),
    );
  }
  if (seasonView && seasonView.weekly.length > 0) {
    add(
      main,
      h("h2", {}, `Brier and log loss by week — ${seasonLabel}`),
      curveCharts(seasonView, seasonLabel, d.rolling_weeks),
    );
  }
  if (d.backtest) {
    const b = d.backtest;
    add(
      main,
      h("h2", {}, "Backtest by season"),
      h(
        "p",
        { class: "muted small" },
        `Run ${b.run.run_id} · ${b.run.n} games · ${b.run.first_season}–${b.run.last_season} · ${b.run.feature_set}`,
      ),
      b.runs.length > 1
        ? h(
            "div",
            { class: "pills" },
            b.runs.map((r) =>
              h(
                "a",
                {
                  href: `/model?run_id=${encodeURIComponent(r.run_id)}`,
                  class: r.run_id === b.run.run_id ? "current" : "",
                },
                r.run_id,
              ),
            ),
          )
        : null,
      h(
        "div",
        { class: "grid2" },
        figure(
          "Brier by season",
          xyChart({
            kind: "backtest-brier",
            title: `Walk-forward Brier by season, ${b.run.run_id}`,
            xLabel: "Season",
            yLabel: "Brier (lower is better)",
            series: ["model", "elo", "market"].map((k) => ({
              name: SOURCE_NAMES[k],
              color: COLORS[k],
              dashed: k !== "model",
              points: b.by_season.map((s) => ({ x: s.season, y: s[k]?.brier ?? null })),
            })),
            xTicks: b.by_season.map((s) => ({ value: s.season, label: String(s.season).slice(2) })),
          }),
        ),
        table(
          [
            "Season",
            ...BRIER_HEADS,
            { label: "Model log loss", cls: "num" },
            { label: "Accuracy", cls: "num" },
          ],
          b.by_season.map((s) =>
            h(
              "tr",
              {},
              h(
                "td",
                {},
                h(
                  "a",
                  { href: `/model?season=${s.season}&run_id=${encodeURIComponent(b.run.run_id)}` },
                  String(s.season),
                ),
              ),
              brierCells(s),
              h("td", { class: "num" }, dec(s.model?.log_loss)),
              h("td", { class: "num" }, s.model ? pct(s.model.accuracy) : "–"),
            ),
          ),
        ),
      ),
    );
    if (b.by_phase.length > 0) add(main, ...phaseSection(b.by_phase));
  }
  if (d.backtest_setup) add(main, h("h2", {}, "Backtest by season"), setupCard(d.backtest_setup));
  if (d.reports.length > 0) {
    const cols = Object.keys(d.reports[0]);
    add(
      main,
      h("h2", {}, "Stored weekly reports"),
      table(
        cols,
        d.reports.map((r) =>
          h(
            "tr",
            {},
            cols.map((c) =>
              h(
                "td",
                { class: typeof r[c] === "number" ? "num" : "" },
                typeof r[c] === "number" && !Number.isInteger(r[c]) ? dec(r[c]) : (r[c] ?? ""),
              ),
            ),
          ),
        ),
      ),
    );
  }
}

// ---------------------------------------------------------------- Monitoring

async function monitoringPage(main, params) {
  const q =
    params.get("season") && params.get("week")
      ? `?season=${params.get("season")}&week=${params.get("week")}`
      : "";
  const d = await api(`/api/monitoring${q}`);
  add(
    main,
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, d.season === null ? "Monitoring" : `Monitoring · season ${d.season} week ${d.week}`),
    ),
  );
  if (d.available.length > 0) {
    add(
      main,
      h(
        "div",
        { class: "pills" },
        d.available.map((w) =>
          h(
            "a",
            {
              href: `/monitoring?season=${w.season}&week=${w.week}`,
              class: w.season === d.season && w.week === d.week ? "current" : "",
            },
            `${w.season} w${w.week}`,
          ),
        ),
      ),
    );
  }
  if (d.setup) add(main, setupCard(d.setup));
  if (d.decision) {
    const r = d.decision.retrain;
    add(
      main,
      h(
        "div",
        { class: "panel", dataset: { decision: String(r) } },
        h(
          "div",
          { class: `decision ${r ? "yes" : r === false ? "no" : ""}` },
          r === true
            ? "Retrain triggered"
            : r === false
              ? "No retrain triggered"
              : "Trigger decision: see details",
        ),
        d.decision.reasons.length > 0
          ? h(
              "ul",
              {},
              d.decision.reasons.map((x) => h("li", {}, x)),
            )
          : h("div", { class: "muted" }, "No check fired."),
        d.decision.checks.length > 0
          ? table(
              ["Check", "Status", "Detail"],
              d.decision.checks.map((c) =>
                h(
                  "tr",
                  { class: c.status === "fired" ? "breached" : "", dataset: { check: c.name } },
                  h("td", {}, c.name),
                  h("td", {}, c.status === "fired" ? h("strong", { class: "wrong" }, "fired") : c.status),
                  h("td", {}, c.detail),
                ),
              ),
            )
          : null,
        notesList(d.decision.notes, { monitorNotes: String(d.decision.notes.length) }),
        h(
          "details",
          { class: "raw" },
          h("summary", { class: "muted small" }, d.decision.file),
          h("pre", {}, JSON.stringify(d.decision.raw, null, 2)),
        ),
      ),
    );
  }
  if (d.psi) {
    add(
      main,
      h("h2", {}, `Population stability (PSI): ${d.psi.breached} of ${d.psi.rows.length} features breached`),
      h("p", { class: "muted small" }, d.psi.file),
      table(
        ["Feature", { label: "PSI", cls: "num" }, { label: "Threshold", cls: "num" }, "Breached"],
        d.psi.rows.map((r) =>
          h(
            "tr",
            { class: r.breached ? "breached" : "", dataset: { feature: r.feature } },
            h("td", { class: "mono" }, r.feature),
            h("td", { class: "num" }, dec(r.psi, 3)),
            h("td", { class: "num" }, dec(r.threshold, 2)),
            h("td", {}, r.breached ? h("strong", { class: "wrong" }, "yes") : "no"),
          ),
        ),
        { class: "psi" },
      ),
    );
  }
  add(main, notesList(d.problems));
  if (d.files.length > 0)
    add(
      main,
      h("h2", {}, "Files"),
      h(
        "ul",
        { class: "mono" },
        d.files.map((f) => h("li", {}, f)),
      ),
    );
}

// ---------------------------------------------------------------- Registry

async function registryPage(main) {
  const d = await api("/api/registry");
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Model registry")));
  add(
    main,
    h(
      "p",
      { class: "summary" },
      `Artifacts in ${d.models_dir} · tracking runs under ${d.tracking_root} (open with `,
      h("code", {}, `mlflow ui --backend-store-uri ./${d.tracking_root}`),
      ")",
    ),
  );
  const link = (l, name, empty) =>
    h(
      "div",
      { class: "kpi" },
      h("div", { class: "k" }, name),
      h("div", { class: "v mono model-id" }, l ? (l.broken ? "broken link" : l.model_id) : "not set"),
      h("div", { class: "muted small" }, l ? `→ ${l.target}` : empty),
    );
  add(
    main,
    h(
      "div",
      { class: "kpis" },
      link(d.current, "current", "predict and snapshot use the newest artifact"),
      link(d.previous, "previous", "no rollback target"),
    ),
  );
  if (d.setup) add(main, setupCard(d.setup));
  if (d.models.length === 0) return;
  const m = (v, digits = 4) => (v === undefined ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(digits));
  add(
    main,
    table(
      [
        "Model",
        "Role",
        "Created",
        "Learner",
        "Training",
        { label: "Holdout Brier", cls: "num" },
        { label: "Holdout log loss", cls: "num" },
        { label: "CV Brier", cls: "num" },
        { label: "CV log loss", cls: "num" },
        "Tracking run",
      ],
      d.models.map((x) =>
        h(
          "tr",
          { dataset: { modelId: x.model_id } },
          h(
            "td",
            { class: "mono", title: x.file },
            x.model_id,
            x.error ? h("div", { class: "wrong small" }, x.error) : null,
          ),
          h("td", {}, h("span", { class: `role role-${x.role}` }, x.role)),
          h("td", { class: "small" }, x.created_at ? utc(x.created_at) : "–"),
          h("td", { class: "small" }, x.learner ? `${x.learner} + ${x.calibrator} · ${x.feature_set}` : "–"),
          h(
            "td",
            { class: "small" },
            x.training
              ? `${x.training.seasons[0]}–${x.training.seasons.at(-1)} · ${x.training.games} games`
              : "–",
          ),
          h("td", { class: "num" }, m(x.metrics.holdout_brier)),
          h("td", { class: "num" }, m(x.metrics.holdout_log_loss)),
          h("td", { class: "num" }, m(x.metrics.cv_brier)),
          h("td", { class: "num" }, m(x.metrics.cv_log_loss)),
          h(
            "td",
            { class: "mono small" },
            x.tracking ? (x.tracking.path ?? `${x.tracking.run_id} (folder not found)`) : "–",
          ),
        ),
      ),
      { class: "models" },
    ),
  );
}

// ---------------------------------------------------------------- Router

const ROUTES = [
  [/^\/$/, "week", weekPage],
  [/^\/game\/([A-Za-z0-9_]+)$/, "week", gamePage],
  [/^\/model$/, "model", modelPage],
  [/^\/monitoring$/, "monitoring", monitoringPage],
  [/^\/registry$/, "registry", registryPage],
];

async function start() {
  const main = document.getElementById("app");
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  const route = ROUTES.find(([re]) => re.test(path));
  main.replaceChildren();
  if (!route) {
    add(main, errorCard(new ApiError(404, `No page at ${path}`)));
    main.dataset.state = "error";
    return;
  }
  const [re, nav, render] = route;
  for (const a of document.querySelectorAll("[data-nav]"))
    a.classList.toggle("active", a.dataset.nav === nav);
  try {
    await render(main, params, ...(re.exec(path)?.slice(1) ?? []));
    main.dataset.state = "ready";
  } catch (e) {
    add(main, errorCard(e));
    main.dataset.state = "error";
  }
}

start();
