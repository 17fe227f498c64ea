#!/bin/sh
# The client compatibility matrix against the server on REDIS_PORT (scripts/services.sh
# starts it; `make test-clients` does both). Runs every suite even when one fails, then
# prints one closing line with the summed test counts.
#   tests/clients/run.sh HIREDIS_TEST_BINARY
set -u
cd "$(dirname "$0")"
hiredis_bin=$1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
passed=0
failed=0

run() {
    name=$1
    shift
    echo "== $name"
    "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    [ $rc -eq 0 ] || { status=1; echo "== $name: FAILED (exit $rc)"; }
}

add_counts() {
    p=$1
    f=$2
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
}

pytest_counts() {
    last=$(tail -1 "$log")
    add_counts "$(echo "$last" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p;s/^\([0-9][0-9]*\) passed.*/\1/p' | head -1)" \
               "$(echo "$last" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p;s/^\([0-9][0-9]*\) failed.*/\1/p' | head -1)"
}

run "redis-py (python and hiredis parsers)" /usr/bin/python3 -m pytest -q -p no:cacheprovider python
pytest_counts
run "redis-cli / redis-benchmark" /usr/bin/python3 -m pytest -q -p no:cacheprovider cli
pytest_counts
run "hiredis (C, sync + libevent async)" "$hiredis_bin" "$REDIS_PORT"
add_counts "$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log")" \
           "$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log")"
run "ioredis + node-redis" node --test node/test_ioredis.js node/test_node_redis.js
add_counts "$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log")" "$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log")"

[ $status -eq 0 ] || [ $failed -gt 0 ] || failed=1
echo "clients: $passed passed, $failed failed"
exit $status
