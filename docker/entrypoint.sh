#!/bin/sh
# Container entrypoint: bring the store up to date with the configured corpus, then run the command.
#
# The ingest runs before the bot starts (CMD `python -m bot` / `python -m bot run`). It is idempotent:
# unchanged articles are skipped, so a restart costs little more than loading the embedding model.
# If it fails, the bot still starts on the store it already has; with no store at all it exits non-zero
# (and the restart policy tries again, e.g. once a Chroma server is reachable).
#
# Other commands (`python -m retrieval ask ...`, `python -m bot healthcheck`, a shell) run at once.
# FRONTLINE_INGEST_ON_START=0 skips the ingest; =1 forces it before any command.
set -eu

log() { printf '%s entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

starts_bot() {
  [ "${1:-}" = "python" ] || [ "${1:-}" = "python3" ] || [ "${1:-}" = "/opt/venv/bin/python" ] || return 1
  [ "${2:-}" = "-m" ] && [ "${3:-}" = "bot" ] || return 1
  [ $# -eq 3 ] || [ "${4:-}" = "run" ]
}

has_token() {
  # The bot refuses to start without one: say so at once rather than after an ingest.
  [ -n "${DISCORD_TOKEN:-}${FRONTLINE_DISCORD_TOKEN:-}${DISCORD_TOKEN_FILE:-}${FRONTLINE_DISCORD_TOKEN_FILE:-}" ] \
    || [ -f .env ]
}

ingest=0
case "${FRONTLINE_INGEST_ON_START:-auto}" in
  0|false|no)  ingest=0 ;;
  1|true|yes)  ingest=1 ;;
  *)           if starts_bot "$@" && has_token; then ingest=1; fi ;;
esac

store_has_articles() {
  # "A store exists": the docstore lists at least one article (an empty file is created on any start).
  python - "$1/frontline.sqlite3" <<'PY' 2>/dev/null
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
sys.exit(0 if conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] > 0 else 1)
PY
}

if [ "$ingest" = 1 ]; then
  data_dir=${FRONTLINE_DATA_DIR:-data}
  log "ingesting ${FRONTLINE_CORPUS_DIRS:-seeds} (store: ${FRONTLINE_CHROMA_URL:-$data_dir})"
  started=$(date +%s)
  # In the background so that a stop signal (SIGINT, the image's STOPSIGNAL, or SIGTERM) reaches this
  # shell, PID 1 here, which then ends the ingest (crash-safe by design) and exits instead of being killed.
  # (SIGTERM, not SIGINT, for the child: a background job of a script starts with SIGINT ignored.)
  stopping=0
  child=
  trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null || true' INT TERM
  # --store-wait forever: a Chroma server that is not up yet is waited for (one line per try), not a failure
  python -m retrieval ingest --store-wait forever >&2 &
  child=$!
  rc=0
  wait "$child" || rc=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done   # wait returns early on a signal
  trap - INT TERM
  if [ "$stopping" = 1 ]; then
    log "stopped during the ingest"
    exit 130
  fi
  if [ "$rc" -eq 0 ]; then
    log "ingest done in $(( $(date +%s) - started )) s"
  elif store_has_articles "$data_dir"; then
    log "ingest FAILED (exit $rc); starting on the existing store in $data_dir"
  else
    log "ingest FAILED (exit $rc) and there is no store yet in $data_dir: not starting"
    exit 1
  fi
fi

exec "$@"
