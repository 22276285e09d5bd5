/**
 * SQL text the storage layer runs to feed the pure builders. Post-game sources are aggregated per
 * team-game here; WHEN each aggregate becomes visible is decided by the builder, never by this SQL.
 */

/** Games from `schedules`, one row per game, in the shape `normalizeGame` reads. */
export const GAMES_SQL = `
SELECT game_id, season, week, game_type, epoch_ms(kickoff_utc) AS kickoff_ms, home_team, away_team,
       home_score, away_score, neutral_site, div_game, roof, surface, temp, wind, stadium_id, stadium,
       home_rest, away_rest, home_qb_id, away_qb_id, home_qb_name, away_qb_name, spread_line, total_line,
       home_moneyline, away_moneyline, overtime
FROM schedules
ORDER BY kickoff_utc, game_id`;

/**
 * Per team-game play-by-play aggregates, offense and defense, as numerators and denominators so windows
 * can be play-weighted. Dropback ≈ play_type 'pass' (includes sacks) or a scramble; designed run ≈
 * play_type 'run' without a scramble (the reduced mirror lacks qb_dropback/pass/rush).
 */
export const PBP_TEAM_GAME_SQL = `
WITH plays AS (
  SELECT game_id, season, posteam, defteam, epa, success, down, yards_gained, play_type,
         coalesce(penalty, 0) AS penalty,
         (play_type = 'pass' OR coalesce(qb_scramble, 0) = 1) AS dropback,
         (play_type = 'run' AND coalesce(qb_scramble, 0) = 0) AS designed_run,
         coalesce(sack, 0) AS sack, qb_hit, shotgun, no_huddle, play_action,
         play_type IN ('kickoff', 'punt', 'field_goal', 'extra_point') AS st_play
  FROM pbp
  WHERE posteam IS NOT NULL AND defteam IS NOT NULL
),
side AS (
  SELECT game_id, season, posteam AS team, 'off' AS side, * EXCLUDE (game_id, season, posteam, defteam) FROM plays
  UNION ALL
  SELECT game_id, season, defteam AS team, 'def' AS side, * EXCLUDE (game_id, season, posteam, defteam) FROM plays
)
SELECT game_id, season, team, side,
  count(*) FILTER (WHERE (dropback OR designed_run) AND epa IS NOT NULL) AS n_plays,
  sum(epa) FILTER (WHERE (dropback OR designed_run)) AS sum_epa,
  count(*) FILTER (WHERE (dropback OR designed_run) AND down IN (1, 2) AND epa IS NOT NULL) AS n_early,
  sum(epa) FILTER (WHERE (dropback OR designed_run) AND down IN (1, 2)) AS sum_early_epa,
  sum(success) FILTER (WHERE (dropback OR designed_run)) AS sum_success,
  count(*) FILTER (WHERE dropback) AS n_dropbacks,
  count(*) FILTER (WHERE designed_run) AS n_runs,
  sum(sack) FILTER (WHERE dropback) AS n_sacks,
  sum(qb_hit) FILTER (WHERE dropback) AS n_qb_hits,
  count(qb_hit) FILTER (WHERE dropback) AS n_qb_hit_known,
  count(*) FILTER (WHERE dropback AND play_type = 'pass' AND sack = 0 AND yards_gained >= 15) AS n_expl_pass,
  count(*) FILTER (WHERE designed_run AND yards_gained >= 10) AS n_expl_run,
  sum(epa) FILTER (WHERE st_play) AS sum_st_epa,
  count(*) FILTER (WHERE st_play AND epa IS NOT NULL) AS n_st,
  sum(penalty) AS n_penalties,
  count(*) FILTER (WHERE play_type IS NOT NULL) AS n_snaps,
  sum(shotgun) FILTER (WHERE dropback OR designed_run) AS n_shotgun,
  count(shotgun) FILTER (WHERE dropback OR designed_run) AS n_shotgun_known,
  sum(no_huddle) FILTER (WHERE dropback OR designed_run) AS n_no_huddle,
  count(no_huddle) FILTER (WHERE dropback OR designed_run) AS n_no_huddle_known,
  sum(play_action) FILTER (WHERE dropback) AS n_play_action,
  count(play_action) FILTER (WHERE dropback) AS n_play_action_known
FROM side
GROUP BY ALL
ORDER BY game_id, team, side`;

/**
 * Offensive EPA per team-game (`epa`: the sum over every play the team had the ball, special teams
 * included; `epa_against`: its opponent's), from play-by-play where it is stored, else from `team_epa`.
 * The two agree to 1e-4 where both exist. `team_epa` names teams and games with nfelo codes, so it is
 * matched to schedules by season, week and the pair of (normalised) teams rather than by game_id.
 */
export const TEAM_GAME_EPA_SQL = `
WITH from_pbp AS (
  SELECT game_id, posteam AS team, sum(epa) AS epa
  FROM pbp
  WHERE posteam IS NOT NULL AND epa IS NOT NULL
  GROUP BY ALL
),
pbp_pairs AS (
  SELECT o.game_id, o.team, o.epa, d.epa AS epa_against
  FROM from_pbp o JOIN from_pbp d ON d.game_id = o.game_id AND d.team <> o.team
),
from_team_epa AS (
  SELECT s.game_id, t.team, t.epa, t.epa_against
  FROM team_epa t
  JOIN schedules s
    ON s.season = t.season
   AND s.week = TRY_CAST(split_part(t.game_id, '_', 2) AS INTEGER)
   AND ((s.home_team = t.team AND s.away_team = t.opponent) OR (s.away_team = t.team AND s.home_team = t.opponent))
  WHERE t.epa IS NOT NULL AND t.epa_against IS NOT NULL
)
SELECT game_id, team, epa, epa_against FROM pbp_pairs
UNION ALL
SELECT game_id, team, epa, epa_against FROM from_team_epa
WHERE game_id NOT IN (SELECT game_id FROM pbp_pairs)
ORDER BY game_id, team`;

/**
 * Injury report counts per team-week (the final report of the week). Position groups: QB, OFF (other
 * offence), DEF, ST.
 */
export const INJURY_TEAM_WEEK_SQL = `
SELECT season, week, team,
  CASE WHEN position = 'QB' THEN 'qb'
       WHEN position IN ('RB','FB','WR','TE','T','G','C','OL','OT','OG') THEN 'off'
       WHEN position IN ('K','P','LS') THEN 'st'
       ELSE 'def' END AS grp,
  count(*) FILTER (WHERE report_status IN ('Out', 'Doubtful')) AS n_out,
  count(*) FILTER (WHERE report_status = 'Questionable') AS n_questionable,
  count(*) FILTER (WHERE practice_status ILIKE 'Did Not Participate%') AS n_dnp,
  count(*) FILTER (WHERE practice_status ILIKE 'Limited%') AS n_limited,
  count(*) FILTER (WHERE practice_status ILIKE 'Full%') AS n_full
FROM injuries
GROUP BY ALL
ORDER BY season, week, team, grp`;

/** Weekly roster status counts per team-week. */
export const ROSTER_TEAM_WEEK_SQL = `
SELECT season, week, team,
  count(*) FILTER (WHERE status = 'RES') AS n_reserve,
  count(*) FILTER (WHERE status = 'ACT') AS n_active
FROM weekly_rosters
GROUP BY ALL
ORDER BY season, week, team`;

/** Depth-chart QB1 per team-week (old layout). */
export const DEPTH_QB1_SQL = `
SELECT season, week, club_code AS team, min(gsis_id) AS qb1
FROM depth_charts
WHERE position = 'QB' AND depth_team = '1' AND week IS NOT NULL
GROUP BY ALL
ORDER BY season, week, team`;
