#!/usr/bin/env bash
# The weekly job end to end on real nflverse data (the README's first command):
# ingest → build features → train → replay the snapshot ladder for a completed week → predictions table.
# Uses NFLVERSE_MIRROR when set (offline), else downloads from the nflverse releases.
set -euo pipefail
cd "$(dirname "$0")/.."
export NFL_PRED_LOG_LEVEL="${NFL_PRED_LOG_LEVEL:-warn}"
SEASON="${DEMO_SEASON:-2025}"
WEEK="${DEMO_WEEK:-7}"
FIRST=$((SEASON - 6))
# The default model trains on the 10 seasons before SEASON; Elo, power ratings and QB values run over
# every schedule (and team EPA) since 1999, as in production.
TRAIN_FIRST=$((SEASON - 10))
cli() { node bin/nfl-pred.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1/5 ingest schedules and team EPA 1999-${SEASON}; teams, play-by-play, injuries, weekly rosters, depth charts ${FIRST}-${SEASON}"
cli ingest --seasons "1999-${SEASON}" --datasets schedules,teams,team_epa
cli ingest --seasons "${FIRST}-${SEASON}" --datasets pbp,injuries,weekly_rosters,depth_charts --allow-missing
step "2/5 build point-in-time features ${TRAIN_FIRST}-${SEASON} (each game as of its own T-60m)"
cli build-features --seasons "${TRAIN_FIRST}-${SEASON}" --write-mode replace
step "3/5 train a calibrated model on ${TRAIN_FIRST}-$((SEASON - 1))"
cli train --seasons "${TRAIN_FIRST}-$((SEASON - 1))"
step "4/5 kickoff schedule and snapshot stage times for ${SEASON} week ${WEEK}"
cli schedule --season "$SEASON" --week "$WEEK"
step "5/5 replay the snapshot ladder for ${SEASON} week ${WEEK} (T-24h … T-60m per kickoff slot)"
cli snapshot --season "$SEASON" --week "$WEEK" --full-timeline
cli sql "SELECT p.game_id, p.pick, round(p.p_home_win, 3) AS p_home, p.tier,
                CASE WHEN s.home_score > s.away_score THEN s.home_team WHEN s.home_score < s.away_score THEN s.away_team ELSE 'TIE' END AS winner
         FROM predictions p JOIN schedules s USING (game_id)
         WHERE p.season = ${SEASON} AND p.week = ${WEEK} AND p.stage = 'T-60m'
         QUALIFY row_number() OVER (PARTITION BY p.game_id ORDER BY p.created_at DESC) = 1
         ORDER BY p.kickoff_utc"
