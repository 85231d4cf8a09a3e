#!/usr/bin/env bash
# Build the Docker image and check it end to end, with podman, on a machine with no Docker engine.
#
#   scripts/container-check.sh [IMAGE_TAG]          (default frontline:check; run from anywhere)
#
# (a) builds the repo's Dockerfile with the shared container-check tool (../shared/tools/container-check
#     from the repo root, or $CONTAINER_CHECK) and prints the build time and the image size;
# (b) in the image, on the embedded (on-disk) Chroma store in a scratch data dir: ingest --json twice
#     (the second must skip everything: restarts are quick), then ask --json;
# (c) the same against a Chroma server started here on 127.0.0.1 ($CHROMA_BIN run, from the project's
#     venv by default), and checks that the vectors landed on the server; the server is stopped after;
# (d) the image runs as a non-root user, holds no .env, has no model hub access switched on, `python -m bot`
#     without a token exits non-zero with a one-line message, the healthcheck fails with no bot running,
#     and the entrypoint refuses to start when its ingest fails and there is no store yet.
#
# Environment: CONTAINER_CHECK (the build tool), CHROMA_BIN (the chroma CLI), QUESTION (the question asked),
# KEEP_LOGS=1 (keep the scratch directory with every output). Exit status 0 only when every check passed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
tag=${1:-frontline:check}
tool=${CONTAINER_CHECK:-$repo/../shared/tools/container-check}
chroma_bin=${CHROMA_BIN:-$repo/.venv/bin/chroma}
question=${QUESTION:-"Why did Ukraine leave the Kanal district?"}
host_python=${HOST_PYTHON:-$(command -v python3)}

work=$(mktemp -d /tmp/frontline-container-check.XXXXXX)
chroma_pid=""
cleanup() {
  if [ -n "$chroma_pid" ] && kill -0 "$chroma_pid" 2>/dev/null; then
    kill "$chroma_pid" 2>/dev/null || true
    wait "$chroma_pid" 2>/dev/null || true
  fi
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "outputs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=0
step() { printf '\n=== %s\n' "$*"; }
ok()   { printf 'ok: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }
now()  { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The same flags the shared tool uses for `container-check TAG -- CMD`, without rebuilding each time.
crun() {
  podman --runtime runc run --rm --cgroup-manager=cgroupfs --network=host \
    --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$@"
}

# Checks a file of JSON lines; prints a one-line digest of each; extra checks by kind.
check_json() {  # FILE KIND(ingest|ask)
  "$host_python" - "$1" "$2" <<'PY'
import json, sys
path, kind = sys.argv[1], sys.argv[2]
lines = [l for l in open(path, encoding="utf-8") if l.strip()]
if not lines:
    sys.exit(f"{kind}: no output")
for line in lines:
    try:
        data = json.loads(line)
    except ValueError as exc:
        sys.exit(f"{kind}: not JSON ({exc}): {line[:200]!r}")
    if kind == "ingest":
        print("ingest:", json.dumps(data, ensure_ascii=False)[:600])
    else:
        cites = data.get("citations") or []
        print("ask:", json.dumps({k: v for k, v in data.items() if k != "citations"}, ensure_ascii=False)[:600])
        for c in cites[:5]:
            print("  cite:", json.dumps(c, ensure_ascii=False)[:300])
        if data.get("abstained") or not cites:
            sys.exit("ask: the answer abstained or cites nothing")
PY
}

# ------------------------------------------------------------------------------------------ (a) build
step "(a) build $tag with $tool"
[ -x "$tool" ] || { echo "no build tool at $tool (set CONTAINER_CHECK)" >&2; exit 2; }
t0=$(now)
if ! "$tool" "$tag" > "$work/build.log" 2>&1; then
  tail -40 "$work/build.log" >&2
  echo "FAIL: image build (full log: $work/build.log)" >&2
  KEEP_LOGS=1
  exit 1
fi
t1=$(now)
build_s=$(secs "$t0" "$t1")
size=$(podman image inspect --format '{{.Size}}' "$tag")
grep -E 'embedding model OK|^torch ' "$work/build.log" | sed 's/^/  build: /' || true
echo "build time: ${build_s} s"
echo "image size: ${size} bytes ($(( size / 1024 / 1024 )) MiB)"

# ------------------------------------------------------------------------------------------ (b) embedded
step "(b) embedded store: ingest --json (twice) + ask --json"
out="$work/embedded"; mkdir -p "$out"; chmod 0777 "$out"   # written by the image's non-root user
t0=$(now)
if crun -e FRONTLINE_DATA_DIR=/tmp/data -v "$out:/out" "$tag" sh -c '
    set -e
    t() { date +%s.%N; }
    a=$(t); python -m retrieval ingest --json > /out/ingest1.json
    b=$(t); python -m retrieval ingest --json > /out/ingest2.json
    c=$(t); python -m retrieval ask --json "$1" > /out/ask.json
    d=$(t); echo "$a $b $c $d" | awk "{printf \"first ingest %.1f s, second ingest %.1f s, ask %.1f s\n\", \$2-\$1, \$3-\$2, \$4-\$3}" > /out/times
  ' sh "$question" > "$out/stdout" 2> "$out/stderr"; then
  t1=$(now)
  echo "container run: $(secs "$t0" "$t1") s ($(cat "$out/times" 2>/dev/null))"
  check_json "$out/ingest1.json" ingest && ok "embedded ingest" || fail "embedded ingest JSON"
  check_json "$out/ingest2.json" ingest && ok "embedded re-ingest" || fail "embedded re-ingest JSON"
  check_json "$out/ask.json" ask && ok "embedded ask" || fail "embedded ask"
else
  fail "embedded run exited non-zero"; tail -30 "$out/stderr" >&2
fi

# ------------------------------------------------------------------------------------------ (c) server
step "(c) Chroma server on 127.0.0.1: ingest --json + ask --json"
if [ ! -x "$chroma_bin" ]; then
  fail "no chroma CLI at $chroma_bin (set CHROMA_BIN)"
else
  port=$("$host_python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/chroma"
  "$chroma_bin" run --path "$work/chroma" --host 127.0.0.1 --port "$port" > "$work/chroma.log" 2>&1 &
  chroma_pid=$!
  for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null 2>&1 && break
    kill -0 "$chroma_pid" 2>/dev/null || break
    sleep 0.5
  done
  if ! curl -fsS "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null 2>&1; then
    fail "the Chroma server did not come up"; tail -20 "$work/chroma.log" >&2
  else
    echo "chroma server: pid $chroma_pid, http://127.0.0.1:$port"
    out="$work/server"; mkdir -p "$out"; chmod 0777 "$out"
    t0=$(now)
    if crun -e FRONTLINE_DATA_DIR=/tmp/data -e FRONTLINE_CHROMA_URL="http://127.0.0.1:$port" -v "$out:/out" "$tag" sh -c '
        set -e
        python -m retrieval ingest --json > /out/ingest.json
        python -m retrieval ask --json "$1" > /out/ask.json
      ' sh "$question" > "$out/stdout" 2> "$out/stderr"; then
      t1=$(now)
      echo "container run: $(secs "$t0" "$t1") s"
      check_json "$out/ingest.json" ingest && ok "server ingest" || fail "server ingest JSON"
      check_json "$out/ask.json" ask && ok "server ask" || fail "server ask"
      on_server=$("$host_python" - "$port" <<'PY' 2>/dev/null || true
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/api/v2/tenants/default_tenant/databases/default_database/collections"
for c in json.load(urllib.request.urlopen(base)):
    n = urllib.request.urlopen(f"{base}/{c['id']}/count").read().decode()
    print(f"{c['name']}={n}", end=" ")
PY
)
      if [ -n "$on_server" ]; then ok "vectors on the server: $on_server"; else fail "no collection on the Chroma server"; fi
    else
      fail "server-mode run exited non-zero"; tail -30 "$out/stderr" >&2
    fi
  fi
  kill "$chroma_pid" 2>/dev/null || true
  wait "$chroma_pid" 2>/dev/null || true
  chroma_pid=""
  echo "chroma server stopped"
fi

# ------------------------------------------------------------------------------------------ (d) hygiene
step "(d) user, secrets, no-token start, healthcheck, entrypoint failure"
uid=$(crun "$tag" id -u 2>/dev/null || echo "?")
if [ "$uid" != "0" ] && [ "$uid" != "?" ]; then ok "runs as uid $uid ($(crun "$tag" id -un 2>/dev/null))"; else fail "runs as uid $uid"; fi

if crun "$tag" sh -c 'test ! -e /app/.env && test "$HF_HUB_OFFLINE" = 1 && test "$FRONTLINE_DATA_DIR" = /data && test -w /data'; then
  ok "no /app/.env; HF_HUB_OFFLINE=1; FRONTLINE_DATA_DIR=/data writable"
else
  fail "image environment (.env present, HF_HUB_OFFLINE unset, or /data not writable)"
fi

rc=0
crun -e DISCORD_TOKEN= "$tag" python -m bot > "$work/notoken.out" 2> "$work/notoken.err" || rc=$?
lines=$(grep -c . "$work/notoken.err" || true)
echo "python -m bot without a token: exit $rc; stderr: $(head -c 300 "$work/notoken.err")"
if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ]; then ok "no-token start fails with one line"; else fail "no-token start: exit $rc, $lines stderr lines"; fi

rc=0
crun "$tag" python -m bot healthcheck > /dev/null 2> "$work/health.err" || rc=$?
if [ "$rc" -ne 0 ]; then ok "healthcheck with no bot running: exit $rc ($(head -1 "$work/health.err"))"; else fail "healthcheck passed with no bot"; fi

rc=0
crun -e FRONTLINE_DATA_DIR=/tmp/data -e FRONTLINE_INGEST_ON_START=1 -e FRONTLINE_CHROMA_URL=http://127.0.0.1:9 \
  "$tag" true > /dev/null 2> "$work/entry.err" || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'no store yet' "$work/entry.err"; then
  ok "entrypoint: failed ingest with no store exits $rc ($(grep 'no store yet' "$work/entry.err" | head -1))"
else
  fail "entrypoint with an unreachable store and no data: exit $rc"; tail -5 "$work/entry.err" >&2
fi

step "summary"
echo "image $tag: ${size} bytes ($(( size / 1024 / 1024 )) MiB), built in ${build_s} s"
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) FAILED"
  KEEP_LOGS=1
  exit 1
fi
echo "all checks passed"
