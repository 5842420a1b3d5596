#!/bin/bash
# Old and new code in one run, alternating (issue 11): in-process CPU per search,
# start -> first answer, and faceted search over HTTP with 2 workers at 16 and at
# 1 connection (wrk, the 20 queries of bench/workload.py).
#
#   bench/old_new.sh DATA_DIR OLD_CHECKOUT NEW_CHECKOUT
#
# Each checkout needs its own .venv (make install); DATA_DIR an archive with its
# index (e.g. the 41k store of bench/relevance.py). Needs wrk (apt-get install wrk).
set -euo pipefail
DATA=$(realpath "$1"); OLD=$(realpath "$2"); NEW=$(realpath "$3")
BENCH=$(dirname "$(realpath "$0")")
PORT=8021
LUA=$(mktemp --suffix=.lua)
"$NEW/.venv/bin/python" -c "
import json, sys
sys.path.insert(0, '$BENCH')
from urllib.parse import urlencode
from workload import QUERIES
paths = ['/api/search?' + urlencode({'q': q, 'from': '2020-03', 'to': '2020-12', 'size': '20'}) for q in QUERIES]
with open('$LUA', 'w') as out:
    out.write('paths = {' + ', '.join(json.dumps(p) for p in paths) + '}\n')
    out.write('n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(\"GET\", paths[(n % #paths) + 1])\nend\n')
"
for round in 1 2; do
  if [ "$round" = 1 ]; then order="$OLD $NEW"; else order="$NEW $OLD"; fi
  for code in $order; do
    echo "=== round $round: $code ($(cat "$code/COMMIT" 2>/dev/null || git -C "$code" rev-parse --short HEAD)), load $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd "$code" && .venv/bin/python "$BENCH/inprocess_cpu.py" --data-dir "$DATA" --rounds 1)
    (cd "$code" && .venv/bin/python "$BENCH/first_answer.py" --data-dir "$DATA" --workers 2)
    (cd "$code" && PRESSEARCHIV_SEED_SAMPLES=false exec .venv/bin/pressearchiv serve \
        --data-dir "$DATA" --port $PORT --workers 2 >/dev/null 2>&1) &
    for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
    sleep 4  # the second worker
    wrk -t1 -c16 -d8s -s "$LUA" "http://127.0.0.1:$PORT" >/dev/null  # warm-up
    echo "16 connections:"; wrk -t1 -c16 -d20s --latency -s "$LUA" "http://127.0.0.1:$PORT" | grep -E "Requests/sec|50%|99%|Non-2xx"
    echo "1 connection:"; wrk -t1 -c1 -d10s --latency -s "$LUA" "http://127.0.0.1:$PORT" | grep -E "Requests/sec|50%|99%|Non-2xx"
    kill %1; wait %1 2>/dev/null || true
    sleep 3
  done
done
rm -f "$LUA"
