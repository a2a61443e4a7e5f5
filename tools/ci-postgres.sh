#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the run-store tests (tests/LsLab.Tests/Runs/PostgresStoreTests.cs).
#
#   source tools/ci-postgres.sh      # installs Debian's postgresql if missing (as root), starts a cluster on
#                                    # 127.0.0.1 in a temp folder as an unprivileged user, creates a database,
#                                    # exports LSLAB_TEST_POSTGRES=postgresql://lslab:PW@127.0.0.1:PORT/lslab_test,
#                                    # defines lslab_pg_stop and adds it to the shell's EXIT trap.
#   tools/ci-postgres.sh --print     # the same, but leaves the cluster running and prints two lines to eval:
#                                    #   export LSLAB_TEST_POSTGRES=...   and   export LSLAB_PG_DIR=...
#   tools/ci-postgres.sh --stop DIR  # stops a cluster started with --print (DIR = $LSLAB_PG_DIR) and deletes it.
#
# Loopback only: the server listens on 127.0.0.1 and a Unix socket inside the temp folder, nothing else.
# Written to be sourced: it does not change the caller's shell options, works under `set -euo pipefail`,
# and returns (not exits) on failure.

lslab_pg__fail() { echo "ci-postgres: $*" >&2; return 1; }

lslab_pg__bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

# Runs a command as the cluster's owner (root may not run postgres).
lslab_pg__as() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$LSLAB_PG_USER" -- "$@"; else "$@"; fi
}

lslab_pg_stop() {
  local dir=${1:-${LSLAB_PG_DIR:-}}
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  local bin; bin=$(lslab_pg__bin) || return 0
  LSLAB_PG_USER=$(stat -c %U "$dir/data") lslab_pg__as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$dir"
  if [ "$dir" = "${LSLAB_PG_DIR:-}" ]; then unset LSLAB_PG_DIR LSLAB_TEST_POSTGRES; fi
  return 0
}

lslab_pg_start() {
  local bin
  bin=$(lslab_pg__bin) || bin=
  if [ -z "$bin" ]; then
    [ "$(id -u)" = 0 ] || { lslab_pg__fail "PostgreSQL is not installed and this is not root: apt-get install postgresql"; return 1; }
    echo "ci-postgres: installing postgresql (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null || { lslab_pg__fail "apt-get install postgresql failed"; return 1; }
    bin=$(lslab_pg__bin) || { lslab_pg__fail "postgresql installed but no initdb under /usr/lib/postgresql/*/bin"; return 1; }
  fi

  # The cluster's owner: ourselves, or (as root) the postgres user of the package, or a created one.
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then LSLAB_PG_USER=postgres
    else id lslabpg >/dev/null 2>&1 || useradd --system --no-create-home lslabpg || { lslab_pg__fail "cannot create user lslabpg"; return 1; }
         LSLAB_PG_USER=lslabpg; fi
  else LSLAB_PG_USER=$(id -un); fi
  export LSLAB_PG_USER

  local dir pw port p
  dir=$(mktemp -d /tmp/lslab-pg.XXXXXX) || { lslab_pg__fail "mktemp failed"; return 1; }
  chmod 755 "$dir"
  pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$pw" > "$dir/pw"
  if [ "$(id -u)" = 0 ]; then chown -R "$LSLAB_PG_USER" "$dir"; fi

  # A free loopback port: nothing answers on it.
  port=
  for p in $(seq 54320 54420); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
  [ -n "$port" ] || { rm -rf "$dir"; lslab_pg__fail "no free port in 54320-54420 on 127.0.0.1"; return 1; }

  lslab_pg__as "$bin/initdb" -D "$dir/data" -U lslab --pwfile="$dir/pw" --auth=scram-sha-256 -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; lslab_pg__fail "initdb failed"; return 1; }
  lslab_pg__as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
    || { cat "$dir/server.log" >&2; rm -rf "$dir"; lslab_pg__fail "the server did not start"; return 1; }
  PGPASSWORD=$pw "$bin/createdb" -h 127.0.0.1 -p "$port" -U lslab lslab_test \
    || { LSLAB_PG_DIR=$dir lslab_pg_stop "$dir"; lslab_pg__fail "createdb failed"; return 1; }

  export LSLAB_PG_DIR=$dir
  export LSLAB_TEST_POSTGRES="postgresql://lslab:$pw@127.0.0.1:$port/lslab_test"
  echo "ci-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (folder $dir); LSLAB_TEST_POSTGRES exported" >&2
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: start, and stop on the shell's exit (kept alongside any EXIT trap already set).
  if lslab_pg_start; then
    lslab_pg__old_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
    # shellcheck disable=SC2064
    trap "lslab_pg_stop${lslab_pg__old_trap:+; $lslab_pg__old_trap}" EXIT
  else
    return 1
  fi
else
  case "${1:-}" in
    --print) lslab_pg_start || exit 1
             printf 'export LSLAB_TEST_POSTGRES=%q\nexport LSLAB_PG_DIR=%q\n' "$LSLAB_TEST_POSTGRES" "$LSLAB_PG_DIR" ;;
    --stop)  LSLAB_PG_DIR=${2:?usage: ci-postgres.sh --stop DIR} lslab_pg_stop "$2" ;;
    *)       echo "usage: source tools/ci-postgres.sh | tools/ci-postgres.sh --print | tools/ci-postgres.sh --stop DIR" >&2; exit 2 ;;
  esac
fi
