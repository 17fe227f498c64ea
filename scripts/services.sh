#!/bin/sh
# Runs one command with private services started for it, and stops them afterwards
# whatever the command's outcome (exit, failure, Ctrl-C).
#
#   scripts/services.sh [--pg] [--kvik BINARY] -- COMMAND [ARGS...]
#
# --pg    a throwaway PostgreSQL cluster: initdb into a temp dir, listening only on a Unix
#         socket in that dir (named after a free port number). As root it runs as the
#         `postgres` user, since postgres refuses to run as root. Exports DATABASE_URL
#         (SQLAlchemy + asyncpg form) and PGHOST/PGPORT/PGUSER/PGDATABASE.
# --kvik  a server binary (kvik-server, or /usr/bin/redis-server to check a test against
#         the reference) on a free loopback port. Exports REDIS_URL, REDIS_PORT and
#         KVIK_SERVER (so tests can start more servers of the same kind).
# The command's exit status is this script's (1 if the server printed a sanitizer report).
set -eu

pg=0
kvik=""
while [ $# -gt 0 ]; do
    case "$1" in
        --pg) pg=1; shift ;;
        --kvik) kvik="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "services.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: services.sh [--pg] [--kvik BIN] -- CMD..." >&2; exit 2; }

tmp=$(mktemp -d /tmp/kvik-services.XXXXXX)
chmod 755 "$tmp"
kvik_pid=""
pg_up=0
as_pg=""
pg_bin=""
sanitizer_report=0
cmd_pid=""

cleanup() {
    if [ -n "$cmd_pid" ]; then
        kill "$cmd_pid" 2>/dev/null || true
        wait "$cmd_pid" 2>/dev/null || true
    fi
    if [ -n "$kvik_pid" ]; then
        kill "$kvik_pid" 2>/dev/null || true
        wait "$kvik_pid" 2>/dev/null || true
        # Sanitizer reports and crashes land here: show them, not bury them with $tmp.
        if [ -s "$tmp/kvik/stderr" ]; then
            echo "services.sh: server stderr:" >&2
            cat "$tmp/kvik/stderr" >&2
            grep -q "Sanitizer\|runtime error" "$tmp/kvik/stderr" && sanitizer_report=1
        fi
    fi
    if [ "$pg_up" = 1 ]; then
        $as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    if [ "$sanitizer_report" = 1 ]; then
        exit 1
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if [ "$pg" = 1 ]; then
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -x "$pg_bin/initdb" ] || { echo "services.sh: PostgreSQL not installed" >&2; exit 1; }
    if [ "$(id -u)" = 0 ]; then
        as_pg="runuser -u postgres --"
        mkdir "$tmp/pg" && chown postgres "$tmp/pg"
    else
        mkdir "$tmp/pg"
    fi
    pg_user=$(if [ -n "$as_pg" ]; then echo postgres; else id -un; fi)
    port=$(free_port)
    $as_pg "$pg_bin/initdb" -D "$tmp/pg" -U "$pg_user" -A trust -E UTF8 --no-sync >"$tmp/initdb.log" 2>&1 \
        || { cat "$tmp/initdb.log" >&2; exit 1; }
    # fsync off: a throwaway cluster for tests, durability is not what is measured.
    $as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -t 30 \
        -o "-k $tmp/pg -p $port -c listen_addresses= -c fsync=off -c max_connections=200" \
        start >/dev/null || { cat "$tmp/pg/server.log" >&2; exit 1; }
    pg_up=1
    $as_pg "$pg_bin/createdb" -h "$tmp/pg" -p "$port" -U "$pg_user" incomes
    export PGHOST="$tmp/pg" PGPORT="$port" PGUSER="$pg_user" PGDATABASE=incomes
    export DATABASE_URL="postgresql+asyncpg://$pg_user@/incomes?host=$tmp/pg&port=$port"
fi

if [ -n "$kvik" ]; then
    # Absolute, but not resolved: redis-server is a symlink whose name picks its mode.
    case "$kvik" in /*) ;; *) kvik="$PWD/$kvik" ;; esac
    port=$(free_port)
    mkdir "$tmp/kvik"
    "$kvik" --port "$port" --bind 127.0.0.1 --save "" --dir "$tmp/kvik" \
        --logfile "$tmp/kvik/server.log" >/dev/null 2>"$tmp/kvik/stderr" &
    kvik_pid=$!
    i=0
    until redis-cli -p "$port" ping >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$kvik_pid" 2>/dev/null; then
            echo "services.sh: $kvik did not start" >&2
            cat "$tmp/kvik/server.log" >&2 2>/dev/null || true
            exit 1
        fi
        sleep 0.05
    done
    export REDIS_URL="redis://127.0.0.1:$port/0" REDIS_PORT="$port" KVIK_SERVER="$kvik"
fi

# The command runs in the background and the shell waits for it: a shell runs its traps
# only once the foreground command is done, so a TERM sent to this script alone would
# otherwise leave the services up. fd 3 hands our stdin on (a background job would get
# /dev/null).
exec 3<&0
set +e
"$@" <&3 3<&- &
cmd_pid=$!
wait "$cmd_pid"
status=$?
cmd_pid=""
set -e
exit $status
