#!/usr/bin/env bash
# Issue 16: the same tests against a standalone PostgreSQL server, as a company runs it (Debian's
# `postgresql` package, PostgreSQL 15 on Debian 12: the oldest version the README supports), not
# only against the embedded one. A throw-away cluster under /tmp owned by the `postgres` user, on a
# free port, SCRAM passwords, listening on 127.0.0.1 only; stopped and removed on exit.
# Runs main/db/boundary.test.ts and data-changes.test.ts (every staff login's refusals, insert-only audit, balances checked
# against entries), the live-changes feed, withdrawals and member search (pg_trgm, unaccent),
# the database copies of the payout-account and risk rules (destinations, withdrawal-risk), through
# NNP_TEST_DATABASE_URL (test/global-setup.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# The tests' extensions come with the server package on PostgreSQL >= 10 (Debian's contrib is in it).
version=$(basename "$(dirname "$bin")")
for ext in pg_trgm unaccent; do
  test -f "/usr/share/postgresql/$version/extension/$ext.control" || { echo "standalone PostgreSQL $version: extension $ext missing" >&2; exit 1; }
done

# As root (CI), the cluster belongs to the postgres user the package created; otherwise to us.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
dir=$(mktemp -d /tmp/nnp-standalone-pg-XXXXXX)
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
password=$(node -e "console.log(require('crypto').randomBytes(18).toString('base64url'))")
printf '%s\n' "$password" > "$dir/pw"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
chmod 700 "$dir"
stop() {
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$dir/pw" -E UTF8 --locale=C.UTF-8 >/dev/null
rm -f "$dir/pw"
# Durability off: a throw-away cluster (the embedded test cluster does the same).
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
echo "standalone PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"

NNP_TEST_DATABASE_URL="postgres://postgres:${password}@127.0.0.1:${port}/postgres" npx vitest run \
  main/db/boundary.test.ts main/db/data-changes.test.ts main/db/changes.test.ts main/services/withdrawals/withdrawals.test.ts main/services/withdrawals/totals.test.ts main/services/members/members.test.ts \
  main/db/destinations.test.ts main/db/withdrawal-risk.test.ts main/db/owner.test.ts main/ipc/engine.test.ts main/services/auth/server-sign-in.test.ts
