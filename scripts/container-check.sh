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
#     the entrypoint refuses to start when its ingest fails and there is no store yet, and waits (one
#     line per try) for a Chroma server that is not up yet;
# (e) the image's default command (entrypoint ingest, then the bot) against the loopback fake Discord of
#     tests/fake_discord.py: it connects, turns healthy, answers /ask with a cited embed, and stops in < 10 s;
# (f) a container stopped during its start-up ingest exits in < 10 s too.
#
# Environment: CONTAINER_CHECK (the build tool), CHROMA_BIN (the chroma CLI), VENV_PYTHON (runs the fake Discord), QUESTION (the question asked),
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
# keep the HEALTHCHECK: podman builds OCI images by default, and the OCI format has no health check
export BUILDAH_FORMAT=${BUILDAH_FORMAT:-docker}
step() { printf '\n=== %s\n' "$*"; }
ok()   { printf 'ok: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }
now()  { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The same flags the shared tool uses for `container-check TAG -- CMD`, without rebuilding each time.
# --no-healthcheck: podman would hand the image's HEALTHCHECK to systemd timers (none here, and it
# would print errors); the health check itself is exercised in (d).
crun() {
  podman --runtime runc run --rm --cgroup-manager=cgroupfs --network=host --no-healthcheck \
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

hc=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$tag" 2>/dev/null || true)
if grep -q '"bot","healthcheck"' <<< "$hc"; then ok "HEALTHCHECK recorded: $hc"; else fail "no HEALTHCHECK in the image ($hc)"; fi
user=$(podman image inspect --format '{{.Config.User}}' "$tag")
[ "$user" = frontline ] && ok "image USER $user" || fail "image USER is '$user'"

rc=0
crun "$tag" python -m bot healthcheck > /dev/null 2> "$work/health.err" || rc=$?
if [ "$rc" -ne 0 ]; then ok "healthcheck with no bot running: exit $rc ($(head -1 "$work/health.err"))"; else fail "healthcheck passed with no bot"; fi

rc=0
crun -e FRONTLINE_DATA_DIR=/tmp/data -e FRONTLINE_INGEST_ON_START=1 -e FRONTLINE_CORPUS_DIRS=/nonexistent \
  "$tag" true > /dev/null 2> "$work/entry.err" || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'no store yet' "$work/entry.err"; then
  ok "entrypoint: failed ingest with no store exits $rc ($(grep 'no store yet' "$work/entry.err" | head -1))"
else
  fail "entrypoint with a failing ingest and no data: exit $rc"; tail -5 "$work/entry.err" >&2
fi

# A Chroma server that is not up yet is waited for, one line per try (not a crash, not a restart loop).
rc=0
timeout 12 podman --runtime runc run --rm --name "frontline-wait-$$" --cgroup-manager=cgroupfs --network=host --no-healthcheck \
  --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
  -e FRONTLINE_DATA_DIR=/tmp/data -e FRONTLINE_INGEST_ON_START=1 -e FRONTLINE_CHROMA_URL=http://127.0.0.1:9 \
  "$tag" true > /dev/null 2> "$work/wait.err" || rc=$?
podman rm -f "frontline-wait-$$" > /dev/null 2>&1 || true
waits=$(grep -c 'cannot reach the Chroma server at http://127.0.0.1:9: connection refused — retrying in' "$work/wait.err" || true)
if [ "$waits" -ge 2 ] && ! grep -q Traceback "$work/wait.err"; then
  ok "entrypoint waits for an unreachable store: $waits one-line retries in 12 s ($(grep -m1 'cannot reach' "$work/wait.err"))"
else
  fail "entrypoint with an unreachable store (exit $rc, $waits retry lines)"; tail -5 "$work/wait.err" >&2
fi

# ------------------------------------------------------------------------------------------ (e) the bot
# The image's own CMD (`python -m bot`, through the entrypoint's ingest) against the loopback fake Discord
# of tests/fake_discord.py, run on the host: a sitecustomize.py mounted into the container points
# discord.py at it. Checks: the bot comes up, the HEALTHCHECK command turns healthy, /ask answers with a
# cited embed, no Discord rule is broken, and `podman stop` ends it.
step "(e) the bot in the image against the fake Discord (tests/fake_discord.py)"
venv_python=${VENV_PYTHON:-$repo/.venv/bin/python}
if [ ! -f "$repo/tests/fake_discord.py" ] || [ ! -x "$venv_python" ]; then
  echo "skipped: no tests/fake_discord.py or no $venv_python"
else
  mkdir -p "$work/fake"
  cat > "$work/fake/sitecustomize.py" <<'PY'
import os
if os.environ.get("FAKE_DISCORD_BASE"):
    import discord.asset, discord.gateway, discord.http, yarl
    base = os.environ["FAKE_DISCORD_BASE"]
    discord.http.Route.BASE = base + "/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])
    discord.asset.Asset.BASE = base + "/cdn"
PY
  chmod -R a+rX "$work/fake"
  if PYTHONPATH="$repo" TAG="$tag" FAKE_DIR="$work/fake" QUESTION="$question" "$venv_python" - <<'PY'
import asyncio, json, os, subprocess, sys, time
from tests.fake_discord import FakeDiscord

TAG, QUESTION, NAME = os.environ["TAG"], os.environ["QUESTION"], f"frontline-e2e-{os.getpid()}"
RUN = ["podman", "--runtime", "runc"]

def sh(*args, check=False):
    return subprocess.run([*RUN, *args], capture_output=True, text=True, check=check)

async def main() -> int:
    failed = 0
    async with FakeDiscord(patch=False) as fake:
        sh("run", "-d", "--name", NAME, "--cgroup-manager=cgroupfs", "--network=host", "--no-healthcheck",
           "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096",
           "-v", f"{os.environ['FAKE_DIR']}:/fake:ro", "-e", "PYTHONPATH=/fake",
           "-e", f"FAKE_DISCORD_BASE={fake.base_url}", "-e", f"FAKE_DISCORD_GATEWAY={fake.gateway_url}",
           "-e", "DISCORD_TOKEN=fake-token", "-e", "FRONTLINE_DATA_DIR=/tmp/data", TAG, check=True)
        try:
            t0 = time.monotonic()
            try:
                await fake.wait_ready(timeout=300)
            except Exception as exc:
                print(f"FAIL: the bot did not connect: {exc}")
                return 1
            print(f"ok: bot connected and synced its commands {time.monotonic() - t0:.1f} s after start")
            deadline, rc = time.monotonic() + 60, None
            while time.monotonic() < deadline:
                r = sh("exec", NAME, "python", "-m", "bot", "healthcheck")
                if r.returncode == 0:
                    break
                await asyncio.sleep(3)
            if r.returncode == 0:
                print(f"ok: HEALTHCHECK command healthy ({r.stdout.strip()}) {time.monotonic() - t0:.1f} s after start")
            else:
                print(f"FAIL: HEALTHCHECK command: exit {r.returncode}: {r.stderr.strip()}"); failed += 1
            interaction = await fake.slash("ask", {"question": QUESTION})
            message = await interaction.wait_final(60)
            embed = (message.get("embeds") or [{}])[0]
            print(f"/ask: acknowledged in {interaction.ack_latency:.2f} s; embed: "
                  + json.dumps({"description": embed.get("description", "")[:300],
                                "fields": [f["name"] for f in embed.get("fields", [])][:5],
                                "footer": embed.get("footer", {}).get("text")}, ensure_ascii=False))
            if "[1]" in embed.get("description", ""):
                print("ok: /ask answered with a cited embed")
            else:
                print(f"FAIL: /ask reply: {json.dumps(message)[:400]}"); failed += 1
            if fake.violations:
                print("FAIL: Discord rules broken: " + "; ".join(fake.violations)); failed += 1
            else:
                print("ok: no Discord rule broken")
        finally:
            t1 = time.monotonic()
            sh("stop", "-t", "20", NAME)
            took = time.monotonic() - t1
            code = sh("inspect", "--format", "{{.State.ExitCode}}", NAME).stdout.strip()
            if took < 10:
                print(f"ok: podman stop took {took:.1f} s (exit code {code})")
            else:
                print(f"FAIL: podman stop took {took:.1f} s: the stop signal was ignored and the bot killed")
                failed += 1
            logs = sh("logs", NAME)
            lines = (logs.stdout + logs.stderr).splitlines()
            print("container log (entrypoint and first bot lines):")
            for line in [l for l in lines if "entrypoint" in l][:4] + [l for l in lines if "entrypoint" not in l][:6]:
                print("   ", line[:200])
            sh("rm", "-f", NAME)
    return failed

sys.exit(asyncio.run(main()))
PY
  then ok "bot end to end"; else fail "bot end to end"; fi
fi

step "(f) stop during the start-up ingest"
name="frontline-stop-$$"
podman --runtime runc run -d --name "$name" --cgroup-manager=cgroupfs --network=host --no-healthcheck \
  --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
  -e DISCORD_TOKEN=not-used -e FRONTLINE_DATA_DIR=/tmp/data "$tag" > /dev/null
sleep 6   # the entrypoint is ingesting (loading the model) by now
t0=$(now)
podman stop -t 20 "$name" > /dev/null 2>&1 || true
took=$(secs "$t0" "$(now)")
code=$(podman inspect --format '{{.State.ExitCode}}' "$name" 2>/dev/null || echo "?")
stopped_line=$(podman logs "$name" 2>&1 | grep -E 'stopped during the ingest|ingest done' | head -1 || true)
podman rm -f "$name" > /dev/null 2>&1 || true
if awk -v t="$took" 'BEGIN { exit !(t < 10) }'; then
  ok "stopped in ${took} s, exit code $code (${stopped_line:-no entrypoint line})"
else
  fail "stop during the ingest took ${took} s (exit code $code)"
fi

step "summary"
echo "image $tag: ${size} bytes ($(( size / 1024 / 1024 )) MiB), built in ${build_s} s"
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) FAILED"
  KEEP_LOGS=1
  exit 1
fi
echo "all checks passed"
