#!/usr/bin/env bash
# Benchmark: the database and replay lists side_by_side.sh measures, made through the app.
#
#   tests/benchmarks/prepare_side_by_side.sh OUT_DIR [TAKERS]
#
# Writes OUT_DIR/pristine.db (migrated; the bench quizzes of prepare_kinds.py imported; TAKERS
# (240) takers registered and verified through the app's own forms, one attempt per bench quiz
# each) and OUT_DIR/lists/*.tsv. Needs PYTHON: an interpreter with httpx (the shared harness's
# venv; `make bench-side-by-side` makes one). A development server on a free port serves the
# registrations, rate limits off and no MAIL_SERVER, so the verify links are in its log.
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd) takers=${2:-240}
here=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:?an interpreter with httpx}
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -rf "$out"/pristine.db* "$out/lists" && mkdir -p "$out/lists"
cd "$here"
export APP_ENV=development DATABASE_URL="sqlite+aiosqlite:///$out/pristine.db" RATELIMIT_ENABLED=0 \
  SECRET_KEY=${SECRET_KEY:-perf-secret-key-0123456789}
unset MAIL_SERVER
.venv/bin/hyperquiz migrate > "$out/prepare.log" 2>&1
"$python" -m tests.benchmarks.prepare_kinds quizzes "$out/quizzes.json"
.venv/bin/hyperquiz import "$out/quizzes.json"
.venv/bin/hypercorn --bind "127.0.0.1:$port" web.asgi:app > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.5; done
"$python" -m tests.benchmarks.prepare_kinds takers "http://127.0.0.1:$port" "$out/server.log" \
  "$out/lists" "$takers"
