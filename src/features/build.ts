import { type AsOf, type Game, homeLabel, MS_DAY, MS_MINUTE } from "../domain/index.ts";
import { type EloParams, eloWinProbability, runElo } from "./elo.ts";
import { epaResiduals, marginResiduals, runQbValues, type TeamGameEpa } from "./qb.ts";
import { marginRatings, powerRatings } from "./ratings.ts";
import { PBP_METRICS, type PbpMetric, WINDOWS, type WindowName } from "./registry.ts";
import { countVisible, Series, type SeriesEntry } from "./series.ts";
import type { Stadium } from "./stadiums.ts";
import { greatCircleMiles, timeZonesCrossed } from "./travel.ts";

/** When each kind of source becomes visible, relative to kickoffs (from `features.visibility`). */
export interface VisibilityRules {
  /** A game's score and post-game data appear this long after its kickoff. */
  readonly postGameDelayMs: number;
  /** Lines and weather are visible this long before kickoff. */
  readonly preGameLeadMs: number;
  /** The starting QB is confirmed this long before kickoff (T-80m). */
  readonly qbLeadMs: number;
  /** A team's weekly reports (injuries, rosters, depth charts) are visible this long before its game. */
  readonly weeklyReportLeadMs: number;
}

export const DEFAULT_VISIBILITY: VisibilityRules = {
  postGameDelayMs: 240 * MS_MINUTE,
  preGameLeadMs: 60 * MS_MINUTE,
  qbLeadMs: 80 * MS_MINUTE,
  weeklyReportLeadMs: 24 * 60 * MS_MINUTE,
};

/** Per team-game play-by-play sums for one side (`off`: the team's plays, `def`: its opponent's). */
export interface TeamGamePbp {
  readonly gameId: string;
  readonly team: string;
  readonly side: "off" | "def";
  readonly sums: Readonly<Record<string, number | null>>;
}

export interface TeamWeekInjuries {
  readonly season: number;
  readonly week: number;
  readonly team: string;
  readonly grp: "qb" | "off" | "def" | "st";
  readonly nOut: number;
  readonly nQuestionable: number;
  readonly nDnp: number;
  readonly nLimited: number;
  readonly nFull: number;
}

export interface TeamWeekRoster {
  readonly season: number;
  readonly week: number;
  readonly team: string;
  readonly nReserve: number;
}

export interface TeamWeekDepth {
  readonly season: number;
  readonly week: number;
  readonly team: string;
  readonly qb1: string | null;
}

export interface FeatureSources {
  readonly games: readonly Game[];
  readonly pbp: readonly TeamGamePbp[];
  /** Offensive EPA per team-game for every season available (QB values reach back to 1999). */
  readonly teamEpa: readonly TeamGameEpa[];
  readonly injuries: readonly TeamWeekInjuries[];
  readonly rosters: readonly TeamWeekRoster[];
  readonly depth: readonly TeamWeekDepth[];
  readonly stadiums: ReadonlyMap<string, Stadium>;
  /** Venue corrections by game id (nflverse gives some international games the home team's stadium). */
  readonly venueOverrides: ReadonlyMap<string, string>;
}

export interface BuildOptions {
  readonly visibility: VisibilityRules;
  readonly elo: EloParams;
  readonly features: readonly string[];
}

export interface Target {
  readonly gameId: string;
  readonly asOf: AsOf;
}

export interface FeatureRow {
  readonly season: number;
  readonly week: number;
  readonly gameId: string;
  readonly team: string;
  readonly opponent: string;
  readonly isHome: boolean;
  readonly kickoff: number;
  readonly asOf: AsOf;
  /** The team's result as stored (1, 0, 0.5), null if unplayed. Never an input to any feature. */
  readonly label: number | null;
  readonly values: Readonly<Record<string, number | null>>;
}

type Values = Record<string, number | null>;

const PBP_FIELDS = [
  "n_plays",
  "sum_epa",
  "n_early",
  "sum_early_epa",
  "sum_success",
  "n_dropbacks",
  "n_runs",
  "n_sacks",
  "n_qb_hits",
  "n_qb_hit_known",
  "n_expl_pass",
  "n_expl_run",
  "sum_st_epa",
  "n_games",
  "n_penalties",
  "n_snaps",
  "n_shotgun",
  "n_shotgun_known",
  "n_no_huddle",
  "n_no_huddle_known",
  "n_play_action",
  "n_play_action_known",
] as const;
type PbpField = (typeof PBP_FIELDS)[number];
const FIELD_INDEX = new Map<string, number>(PBP_FIELDS.map((f, i) => [f, i]));

/** Each metric as numerator / denominator fields (denominator over games for per-game rates). */
const METRIC_RATIO: Record<PbpMetric, readonly [PbpField, PbpField, PbpField?]> = {
  epa_play: ["sum_epa", "n_plays"],
  early_epa: ["sum_early_epa", "n_early"],
  success: ["sum_success", "n_plays"],
  pass_rate: ["n_dropbacks", "n_dropbacks", "n_runs"],
  sack_rate: ["n_sacks", "n_dropbacks"],
  qb_hit_rate: ["n_qb_hits", "n_qb_hit_known"],
  expl_pass: ["n_expl_pass", "n_dropbacks"],
  expl_run: ["n_expl_run", "n_runs"],
  st_epa: ["sum_st_epa", "n_games"],
  pen_rate: ["n_penalties", "n_snaps"],
  shotgun: ["n_shotgun", "n_shotgun_known"],
  no_huddle: ["n_no_huddle", "n_no_huddle_known"],
  play_action: ["n_play_action", "n_play_action_known"],
};

const POINT_FIELDS = 3; // pf, pa, margin
const CARRY_GAMES = 4;
const MIN_VENUE_GAMES = 8;
const ROUND_OF: Record<string, number> = { REG: 0, WC: 1, DIV: 2, CON: 3, SB: 4 };
const US_TZ =
  /^America\/(New_York|Chicago|Denver|Los_Angeles|Phoenix|Detroit|Indiana\/|Kentucky\/|Boise|Anchorage)|^Pacific\/Honolulu$/;

const etParts = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  weekday: "short",
  hour: "numeric",
  hourCycle: "h23",
});

/**
 * Builds one row per team per target game from what is visible at each target's as-of instant (never
 * later than the game's kickoff). Pure: sources and time come in as arguments.
 * @example buildFeatureRows(sources, [{ gameId: "2024_07_NE_JAX", asOf: kickoff - 60 * MS_MINUTE }], opts)
 */
export function buildFeatureRows(
  sources: FeatureSources,
  targets: readonly Target[],
  opts: BuildOptions,
): FeatureRow[] {
  return createFeatureBuilder(sources, opts)(targets);
}

/**
 * Indexes the sources once and returns a builder for any number of target batches (the snapshot ladder
 * builds many small batches from the same sources).
 */
export function createFeatureBuilder(
  sources: FeatureSources,
  opts: BuildOptions,
): (targets: readonly Target[]) => FeatureRow[] {
  const ctx = new BuildContext(sources, opts);
  return (targets) => buildWith(ctx, targets, opts);
}

function buildWith(ctx: BuildContext, targets: readonly Target[], opts: BuildOptions): FeatureRow[] {
  const rows: FeatureRow[] = [];
  for (const t of targets) {
    const game = ctx.gameById.get(t.gameId);
    if (!game) throw new Error(`unknown game ${t.gameId}`);
    // A game's row never sees anything from after its own kickoff, whatever instant was asked for.
    const asOf = Math.min(t.asOf, game.kickoff);
    const home = ctx.teamValues(game, game.homeTeam, asOf);
    const away = ctx.teamValues(game, game.awayTeam, asOf);
    const gameValues = ctx.gameValues(game, asOf, home, away);
    const label = homeLabel(game);
    for (const [team, own, isHome] of [
      [game.homeTeam, home, true],
      [game.awayTeam, away, false],
    ] as const) {
      const values: Values = {};
      for (const name of opts.features) {
        values[name] = (name in gameValues ? gameValues[name] : own[name]) ?? null;
      }
      rows.push({
        season: game.season,
        week: game.week,
        gameId: game.gameId,
        team,
        opponent: isHome ? game.awayTeam : game.homeTeam,
        isHome,
        kickoff: game.kickoff,
        asOf,
        label: label === null ? null : isHome ? label : 1 - label,
        values,
      });
    }
  }
  return rows;
}

interface TeamGame {
  readonly game: Game;
  readonly isHome: boolean;
}

class BuildContext {
  readonly gameById = new Map<string, Game>();
  private readonly schedule = new Map<string, TeamGame[]>();
  private readonly points = new Map<string, Series>();
  private readonly pbp = new Map<string, Record<"off" | "def", Series>>();
  private readonly elo: ReturnType<typeof runElo>;
  private readonly ratingCache = new Map<string, Map<string, number>>();
  private readonly powerCache = new Map<number, Map<string, number>>();
  private readonly qbValue: ReturnType<typeof runQbValues>;
  private readonly qbEpaValue: ReturnType<typeof runQbValues>;
  private readonly played: Game[];
  private readonly qbStarts = new Map<string, number[]>();
  private readonly venueGames = new Map<string, { kickoff: number; season: number; margin: number }[]>();
  private readonly injuries = new Map<string, TeamWeekInjuries[]>();
  private readonly rosters = new Map<string, TeamWeekRoster>();
  private readonly depth = new Map<string, TeamWeekDepth>();

  constructor(
    private readonly src: FeatureSources,
    private readonly opts: BuildOptions,
  ) {
    const games = [...src.games].sort((a, b) => a.kickoff - b.kickoff || a.gameId.localeCompare(b.gameId));
    const delay = opts.visibility.postGameDelayMs;
    this.played = games.filter((g) => g.homeScore !== null && g.awayScore !== null);
    const pointEntries = new Map<string, SeriesEntry[]>();
    for (const g of games) {
      this.gameById.set(g.gameId, g);
      for (const [team, isHome] of [
        [g.homeTeam, true],
        [g.awayTeam, false],
      ] as const) {
        push(this.schedule, team, { game: g, isHome });
        if (g.homeScore !== null && g.awayScore !== null) {
          const pf = isHome ? g.homeScore : g.awayScore;
          const pa = isHome ? g.awayScore : g.homeScore;
          push(pointEntries, team, {
            visibleAt: g.kickoff + delay,
            season: g.season,
            values: Float64Array.of(pf, pa, pf - pa),
          });
        }
        const qb = isHome ? g.homeQbId : g.awayQbId;
        if (qb) push(this.qbStarts, qb, g.kickoff);
      }
      if (!g.neutralSite && g.stadiumId && g.homeScore !== null && g.awayScore !== null) {
        push(this.venueGames, g.stadiumId, {
          kickoff: g.kickoff,
          season: g.season,
          margin: g.homeScore - g.awayScore,
        });
      }
    }
    for (const [team, entries] of pointEntries) this.points.set(team, new Series(entries, POINT_FIELDS));
    this.elo = runElo(games, opts.elo, delay);
    // Expected margin from the pre-game Elo difference (about 27 Elo points to a point).
    const eloPointsPerPoint = 400 / (6.5 * Math.LN10);
    this.qbValue = runQbValues(
      this.played,
      marginResiduals((g) => {
        const hfa = g.neutralSite ? 0 : opts.elo.homeAdvantage;
        const diff =
          this.elo.ratingAt(g.homeTeam, g.kickoff, g.season) -
          this.elo.ratingAt(g.awayTeam, g.kickoff, g.season) +
          hfa;
        return diff / eloPointsPerPoint;
      }),
      delay,
    );
    this.qbEpaValue = runQbValues(this.played, epaResiduals(this.played, src.teamEpa), delay);
    this.indexPbp(src.pbp, delay);
    for (const r of src.injuries) push(this.injuries, weekKey(r.season, r.week, r.team), r);
    for (const r of src.rosters) this.rosters.set(weekKey(r.season, r.week, r.team), r);
    for (const r of src.depth) this.depth.set(weekKey(r.season, r.week, r.team), r);
  }

  private indexPbp(rows: readonly TeamGamePbp[], delay: number): void {
    const entries = new Map<string, { off: SeriesEntry[]; def: SeriesEntry[] }>();
    for (const r of rows) {
      const g = this.gameById.get(r.gameId);
      if (!g) continue;
      const values = new Float64Array(PBP_FIELDS.length).fill(Number.NaN);
      for (const [k, v] of Object.entries(r.sums)) {
        const i = FIELD_INDEX.get(k);
        if (i !== undefined && v !== null) values[i] = v;
      }
      values[FIELD_INDEX.get("n_games")!] = 1;
      let e = entries.get(r.team);
      if (!e) {
        e = { off: [], def: [] };
        entries.set(r.team, e);
      }
      e[r.side].push({ visibleAt: g.kickoff + delay, season: g.season, values });
    }
    for (const [team, e] of entries) {
      this.pbp.set(team, {
        off: new Series(e.off, PBP_FIELDS.length),
        def: new Series(e.def, PBP_FIELDS.length),
      });
    }
  }

  teamValues(game: Game, team: string, asOf: number): Values {
    const v: Values = {};
    v.elo_pre = this.elo.ratingAt(team, asOf, game.season);
    v.margin_rating = this.marginRatingsAt(asOf, game.season).get(team) ?? 0;
    v.power_rating = this.powerRatingsAt(asOf).get(team) ?? 0;
    this.pointValues(v, team, asOf, game.season);
    this.scheduleValues(v, game, team);
    this.qbValues(v, game, team, asOf);
    this.pbpValues(v, team, asOf, game.season);
    this.weeklyValues(v, game, team, asOf);
    return v;
  }

  /** Played games whose results are visible at `asOf`: a prefix, since `played` is in kickoff order. */
  private playedVisibleAt(asOf: number): Game[] {
    const delay = this.opts.visibility.postGameDelayMs;
    return this.played.slice(
      0,
      countVisible(this.played, asOf, (g) => g.kickoff + delay),
    );
  }

  /** Margin ratings from the results visible at `asOf` (cached: games of a slot share their cutoff). */
  private marginRatingsAt(asOf: number, season: number): Map<string, number> {
    const key = `${asOf}|${season}`;
    let r = this.ratingCache.get(key);
    if (!r) {
      const visible = this.playedVisibleAt(asOf).filter(
        (g) => g.season === season || g.season === season - 1,
      );
      r = marginRatings(visible, season);
      this.ratingCache.set(key, r);
    }
    return r;
  }

  /** Decayed margin ratings from the results visible at `asOf` (cached per instant). */
  private powerRatingsAt(asOf: number): Map<string, number> {
    let r = this.powerCache.get(asOf);
    if (!r) {
      r = powerRatings(this.playedVisibleAt(asOf), asOf);
      this.powerCache.set(asOf, r);
    }
    return r;
  }

  private pointValues(v: Values, team: string, asOf: number, season: number): void {
    const s = this.points.get(team);
    const names = ["pf", "pa", "margin"];
    const end = s ? s.countVisible(asOf) : 0;
    for (const w of WINDOWS) {
      for (const [f, name] of names.entries()) {
        v[`${name}_${w}`] = s ? windowRatio(s, end, season, w, [f], null) : null;
      }
    }
    v.games_std = s ? end - s.seasonStart(end, season) : 0;
  }

  private pbpValues(v: Values, team: string, asOf: number, season: number): void {
    const sides = this.pbp.get(team);
    for (const side of ["off", "def"] as const) {
      const s = sides?.[side];
      const end = s ? s.countVisible(asOf) : 0;
      for (const m of PBP_METRICS) {
        const [num, den, den2] = METRIC_RATIO[m.key];
        const denFields = [FIELD_INDEX.get(den)!, ...(den2 ? [FIELD_INDEX.get(den2)!] : [])];
        for (const w of WINDOWS) {
          v[`${side}_${m.key}_${w}`] = s
            ? windowRatio(s, end, season, w, [FIELD_INDEX.get(num)!], denFields)
            : null;
        }
      }
    }
  }

  private previousGame(game: Game, team: string): TeamGame | undefined {
    const list = this.schedule.get(team) ?? [];
    let prev: TeamGame | undefined;
    for (const tg of list) {
      if (tg.game.kickoff >= game.kickoff) break;
      prev = tg;
    }
    return prev;
  }

  private scheduleValues(v: Values, game: Game, team: string): void {
    const prev = this.previousGame(game, team);
    const sameSeason = prev !== undefined && prev.game.season === game.season;
    const rest = sameSeason ? etDayNumber(game.kickoff) - etDayNumber(prev.game.kickoff) : null;
    v.rest_days = rest;
    v.short_week = rest === null ? null : rest < 6 ? 1 : 0;
    v.bye_before = rest === null ? null : rest >= 13 ? 1 : 0;
    const venue = this.venueOf(game);
    const prevVenue = sameSeason ? this.venueOf(prev.game) : this.homeVenue(team, game);
    if (venue && prevVenue) {
      v.travel_miles = Math.round(greatCircleMiles(prevVenue, venue));
      v.tz_crossed = timeZonesCrossed(prevVenue.tz, venue.tz, game.kickoff);
    } else {
      v.travel_miles = null;
      v.tz_crossed = null;
    }
  }

  private qbValues(v: Values, game: Game, team: string, asOf: number): void {
    const isHome = team === game.homeTeam;
    const qb = isHome ? game.homeQbId : game.awayQbId;
    if (asOf < game.kickoff - this.opts.visibility.qbLeadMs || !qb) {
      v.qb_changed = null;
      v.qb_prior_starts = null;
      v.qb_value = null;
      v.qb_value_delta = null;
      v.qb_epa_delta = null;
      return;
    }
    const prev = this.previousGame(game, team);
    const prevQb = prev ? (prev.isHome ? prev.game.homeQbId : prev.game.awayQbId) : null;
    v.qb_changed = prevQb ? (prevQb === qb ? 0 : 1) : null;
    const starts = this.qbStarts.get(qb) ?? [];
    const lead = this.opts.visibility.qbLeadMs;
    v.qb_prior_starts = starts.filter((k) => k < game.kickoff && k - lead <= asOf).length;
    v.qb_value = this.qbValue.valueAt(qb, asOf);
    v.qb_value_delta = v.qb_value - this.qbValue.baselineAt(team, asOf);
    v.qb_epa_delta = this.qbEpaValue.valueAt(qb, asOf) - this.qbEpaValue.baselineAt(team, asOf);
  }

  private weeklyValues(v: Values, game: Game, team: string, asOf: number): void {
    const visible = asOf >= game.kickoff - this.opts.visibility.weeklyReportLeadMs;
    const key = weekKey(game.season, game.week, team);
    const inj = visible ? this.injuries.get(key) : undefined;
    const sum = (f: (r: TeamWeekInjuries) => number, grp?: string) =>
      inj ? inj.filter((r) => grp === undefined || r.grp === grp).reduce((a, r) => a + f(r), 0) : null;
    v.inj_out_qb = sum((r) => r.nOut, "qb");
    v.inj_out_off = sum((r) => r.nOut, "off");
    v.inj_out_def = sum((r) => r.nOut, "def");
    v.inj_questionable = sum((r) => r.nQuestionable);
    v.inj_dnp = sum((r) => r.nDnp);
    v.inj_limited = sum((r) => r.nLimited);
    v.inj_full = sum((r) => r.nFull);
    const roster = visible ? this.rosters.get(key) : undefined;
    v.roster_reserve = roster ? roster.nReserve : null;
    const depth = visible ? this.depth.get(key) : undefined;
    const prevDepth = this.depth.get(weekKey(game.season, game.week - 1, team));
    v.depth_qb1_changed = depth?.qb1 && prevDepth?.qb1 ? (depth.qb1 === prevDepth.qb1 ? 0 : 1) : null;
  }

  gameValues(game: Game, asOf: number, home: Values, away: Values): Values {
    const v: Values = {};
    const hfa = game.neutralSite ? 0 : this.opts.elo.homeAdvantage;
    v.elo_prob_home = eloWinProbability((home.elo_pre ?? 0) - (away.elo_pre ?? 0) + hfa);
    v.neutral_site = game.neutralSite ? 1 : 0;
    const venue = this.venueOf(game);
    const bucket = kickoffBucket(game, venue);
    for (const b of ["thu", "sun_early", "sun_late", "sun_night", "mon", "sat", "intl", "other"]) {
      v[`kickoff_${b}`] = bucket === b ? 1 : 0;
    }
    v.div_game = game.divGame ? 1 : 0;
    const indoor = game.roof === null ? null : game.roof === "dome" || game.roof === "closed";
    v.roof_indoor = indoor === null ? null : indoor ? 1 : 0;
    const surface = game.surface?.trim() ?? null;
    v.surface_turf = surface ? (surface === "grass" || surface === "dessograss" ? 0 : 1) : null;
    v.playoff = game.gameType === "REG" ? 0 : 1;
    v.playoff_round = ROUND_OF[game.gameType] ?? 0;
    v.altitude_ft = venue ? venue.altitudeFt : null;
    const preGame = asOf >= game.kickoff - this.opts.visibility.preGameLeadMs;
    v.temp = preGame && indoor === false ? game.temp : null;
    v.wind = preGame && indoor === false ? game.wind : null;
    const now3 = this.venueMargin(game, asOf, game.season - 3, game.season);
    const prev3 = this.venueMargin(game, asOf, game.season - 4, game.season - 2, game.season - 1);
    v.venue_hfa_3y = game.neutralSite ? null : now3;
    v.venue_hfa_yoy = game.neutralSite || now3 === null || prev3 === null ? null : now3 - prev3;
    v.kickoff_2024plus = game.season >= 2024 ? 1 : 0;
    v.ot_regular_2025plus = game.season >= 2025 ? 1 : 0;
    v.spread_home = preGame ? game.spreadLine : null;
    v.ml_prob_home = preGame ? vigFreeHome(game.homeMoneyline, game.awayMoneyline) : null;
    v.total_line = preGame ? game.totalLine : null;
    return v;
  }

  private venueMargin(
    game: Game,
    asOf: number,
    fromSeason: number,
    toSeason: number,
    fullThrough?: number,
  ): number | null {
    if (!game.stadiumId) return null;
    const list = this.venueGames.get(game.stadiumId) ?? [];
    const delay = this.opts.visibility.postGameDelayMs;
    let sum = 0;
    let n = 0;
    for (const g of list) {
      if (g.season < fromSeason || g.season > toSeason) continue;
      if (g.kickoff + delay > asOf) continue;
      if (fullThrough !== undefined && g.season > fullThrough) continue;
      sum += g.margin;
      n++;
    }
    return n >= MIN_VENUE_GAMES ? sum / n : null;
  }

  private venueOf(game: Game): Stadium | undefined {
    const id = this.src.venueOverrides.get(game.gameId) ?? game.stadiumId;
    return id ? this.src.stadiums.get(id) : undefined;
  }

  /** The venue of the team's latest home game before this one (its own stadium at a season opener). */
  private homeVenue(team: string, game: Game): Stadium | undefined {
    const list = this.schedule.get(team) ?? [];
    let venue: Stadium | undefined;
    for (const tg of list) {
      if (tg.game.kickoff > game.kickoff) break;
      if (tg.isHome && !tg.game.neutralSite) venue = this.venueOf(tg.game) ?? venue;
    }
    if (venue) return venue;
    for (const tg of list) if (tg.isHome && !tg.game.neutralSite) return this.venueOf(tg.game);
    return undefined;
  }
}

/**
 * A windowed rate: sum(num) / sum(den) over the window, or the mean of `num` per present entry when
 * `den` is null. The season-to-date window borrows the prior season's per-game rate for the games not yet
 * played, up to CARRY_GAMES.
 */
function windowRatio(
  s: Series,
  end: number,
  season: number,
  w: WindowName,
  num: readonly number[],
  den: readonly number[] | null,
): number | null {
  const total = (from: number, to: number) => {
    const n = num.reduce((a, f) => a + s.sum(f, from, to).sum, 0);
    const present = s.sum(num[0]!, from, to).n;
    const d = den ? den.reduce((a, f) => a + s.sum(f, from, to).sum, 0) : present;
    return { n, d, games: to - from, present };
  };
  if (w !== "std") {
    const size = w === "l4" ? 4 : 8;
    const t = total(Math.max(0, end - size), end);
    return t.present > 0 && t.d > 0 ? t.n / t.d : null;
  }
  const inSeason = end > 0 && s.seasonAt(end - 1) === season;
  const start = inSeason ? s.seasonStart(end, season) : end;
  const cur = total(start, end);
  const prevEnd = start;
  const prevStart = prevEnd > 0 ? s.seasonStart(prevEnd, s.seasonAt(prevEnd - 1)) : prevEnd;
  const prev = prevEnd > 0 && s.seasonAt(prevEnd - 1) === season - 1 ? total(prevStart, prevEnd) : undefined;
  const k = Math.max(0, CARRY_GAMES - cur.games);
  let n = cur.present > 0 ? cur.n : 0;
  let d = cur.present > 0 ? cur.d : 0;
  if (k > 0 && prev && prev.present > 0 && prev.games > 0) {
    n += (k * prev.n) / prev.games;
    d += (k * prev.d) / prev.games;
  }
  return d > 0 ? n / d : null;
}

function kickoffBucket(game: Game, venue: Stadium | undefined): string {
  if (game.neutralSite && venue && !US_TZ.test(venue.tz)) return "intl";
  const parts = etParts.formatToParts(new Date(game.kickoff));
  const day = parts.find((p) => p.type === "weekday")?.value;
  const hour = Number(parts.find((p) => p.type === "hour")?.value);
  switch (day) {
    case "Thu":
      return "thu";
    case "Mon":
      return "mon";
    case "Sat":
      return "sat";
    case "Sun":
      return hour < 15 ? "sun_early" : hour < 19 ? "sun_late" : "sun_night";
    default:
      return "other";
  }
}

const etDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** Calendar day number of an instant in US Eastern time (rest days count calendar days, as nflverse does). */
function etDayNumber(instant: number): number {
  return Math.round(Date.parse(`${etDate.format(new Date(instant))}T00:00:00Z`) / MS_DAY);
}

/** Vig-free home probability from American moneylines. */
export function vigFreeHome(home: number | null, away: number | null): number | null {
  if (home === null || away === null || home === 0 || away === 0) return null;
  const implied = (ml: number) => (ml < 0 ? -ml / (-ml + 100) : 100 / (ml + 100));
  const h = implied(home);
  const a = implied(away);
  return h / (h + a);
}

/**
 * Home win probability implied by a closing spread (home-positive), by the normal approximation of the
 * final margin with a standard deviation of 13.45 points (Stern's classic figure).
 */
export function spreadToProbability(spreadHome: number, sd = 13.45): number {
  return normalCdf(spreadHome / sd);
}

function normalCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 on erf, |error| < 1.5e-7.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function weekKey(season: number, week: number, team: string): string {
  return `${season}|${week}|${team}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
