#!/usr/bin/env bash
# Benchmark: the app's hot paths beside the seed's stack and the minimal Quart app, one run.
#
#   tests/benchmarks/side_by_side.sh PRISTINE_DB LISTS_DIR OUT_DIR [BEFORE_CHECKOUT]
#
# PRISTINE_DB and LISTS_DIR come from prepare_kinds.py (both are copied, never used). The
# shared harness (BENCH, default /work/shared/bench) serves flask-gu4 (the seed's stack) and
# quart-hc2 (minimal Quart) and drives wrk in interleaved rounds. This checkout runs as the
# Procfile runs it (production tier, `python -m web.serve --workers 2`, rate limits off) as
# "app-w2"; BEFORE_CHECKOUT, when given, runs beside it the same way as "before-w2". Needs
# PATH with the harness's venv (gunicorn) and wrk. ROUNDS, DUR, WARM and CONNS pass through to bench_rounds.sh.
set -euo pipefail
# Absolute paths: the reference servers and the app servers run from other directories.
pristine=$(realpath "$1") lists=$(realpath "$2") out=$(mkdir -p "$3" && realpath "$3") before=${4:-}
BENCH=${BENCH:-/work/shared/bench}
here=$(cd "$(dirname "$0")/../.." && pwd)
export ANCHOR_RUN_DIR=$out/anchors

serve() { # NAME CHECKOUT PORT COMMAND...: one app server on its own copy of the database
  local name=$1 co=$2 port=$3; shift 3
  cp "$pristine" "$out/$name.db"
  mkdir -p "$out/lists-$name" "$out/logs-$name"
  cp "$lists"/*.tsv "$out/lists-$name/"
  (
    cd "$co"
    # PYTHONPATH: a snapshot's own `web`, not the editable install's
    export APP_ENV=production SECRET_KEY=${SECRET_KEY:-perf-secret-key-0123456789} \
      DATABASE_URL="sqlite+aiosqlite:///$out/$name.db" RATELIMIT_ENABLED=0 \
      LOG_DIR="$out/logs-$name" PORT=$port PYTHONPATH=$co
    .venv/bin/hyperquiz migrate > "$out/$name.migrate.log" 2>&1  # the checkout's own schema
    exec setsid "$@"
  ) > "$out/$name.log" 2>&1 &
  echo $! > "$out/$name.pid"
  for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.5; done
  echo "$name did not start" >&2; exit 1
}

targets() { # NAME PORT: the app's hot paths
  local l="$out/lists-$1" app="$1@$2@$out/$1.pid"
  echo "$app REPLAY:$l/answers_single.tsv hx"
  echo "$app REPLAY:$l/answers_typed.tsv hx"
  echo "$app REPLAY:$l/cards.tsv hx"
  echo "$app REPLAY:$l/pages.tsv"
}

"$BENCH/serve.sh" start flask-gu4 quart-hc2 >&2
serve app-w2 "$here" 8504 .venv/bin/python -m web.serve --bind 127.0.0.1:8504 --workers 2 \
  --access-logfile - web.asgi:app
[ -z "$before" ] || serve before-w2 "$before" 8505 .venv/bin/python -m web.serve \
  --bind 127.0.0.1:8505 --workers 2 --access-logfile - web.asgi:app
{
  printf '%s\n' "flask-gu4 POST:/answer" "quart-hc2 POST:/answer" "flask-gu4 /q/7" \
    "quart-hc2 /q/7" "flask-gu4 /page" "quart-hc2 /page"
  targets app-w2 8504
  [ -z "$before" ] || targets before-w2 8505
} > "$out/targets.txt"
ROUNDS=${ROUNDS:-3} DUR=${DUR:-8} WARM=${WARM:-1} CONNS=${CONNS:-64} \
  "$BENCH/bench_rounds.sh" "$out/targets.txt" > "$out/results.txt" 2> "$out/bench.err" || true
for name in app-w2 before-w2; do [ -f "$out/$name.pid" ] && kill -TERM "$(cat "$out/$name.pid")"; done
"$BENCH/serve.sh" stop flask-gu4 quart-hc2 >&2
for ref in 0 2 4; do python "$BENCH/ratios.py" "$out/targets.txt" "$out/results.txt" $ref; done \
  | tee "$out/ratios.txt"
# A server that answered errors measured nothing: the ratios above are void, so say so and fail.
awk '$1 ~ /^r[0-9]/ && $11 > 0 { print "non-2xx responses, figures invalid: " $0; bad = 1 }
  END { exit bad }' "$out/results.txt" >&2 || status=1
for name in app-w2 before-w2; do
  [ -f "$out/$name.log" ] && echo "$name statuses: $(grep -o '1.1" [0-9]*' "$out/$name.log" \
    | sort | uniq -c | tr -s ' \n' ' ')"
done
exit "${status:-0}"
