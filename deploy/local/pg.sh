#!/usr/bin/env bash
# Provisions a local PostgreSQL 15 + PostGIS 3 for `make run` and `make test`, without Docker.
#
#   deploy/local/pg.sh start DBNAME   installs packages if missing, initdb into ./.data/pg,
#                                     starts the server on 127.0.0.1:$PGPORT, creates DBNAME
#                                     with PostGIS and prints its URL on stdout.
#   deploy/local/pg.sh stop           stops the server.
#
# Idempotent: running it again reuses the cluster and the database. Authentication is
# "trust" on loopback only: this cluster is for development and tests on one machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
data="$root/.data/pg"
port="${PGPORT:-54329}"
pgver=15
bindir="/usr/lib/postgresql/$pgver/bin"

log() { printf 'pg.sh: %s\n' "$*" >&2; }

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

install_packages() {
	if [ -x "$bindir/initdb" ] && [ -f "/usr/share/postgresql/$pgver/extension/postgis.control" ]; then
		return
	fi
	if [ "$(id -u)" != 0 ]; then
		log "PostgreSQL $pgver with PostGIS is missing. Install it once with:"
		log "  sudo apt-get install -y postgresql-$pgver postgresql-$pgver-postgis-3"
		exit 1
	fi
	log "installing postgresql-$pgver-postgis-3 (Debian packages)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq "postgresql-$pgver" "postgresql-$pgver-postgis-3" >&2
}

init_cluster() {
	if [ -f "$data/PG_VERSION" ]; then
		return
	fi
	mkdir -p "$data"
	if [ "$(id -u)" = 0 ]; then
		chown -R postgres:postgres "$root/.data"
		# The postgres user must be able to reach the data directory.
		chmod o+x "$root" "$root/.data" 2>/dev/null || true
	fi
	log "initdb into $data"
	as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
	cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 200
shared_buffers = 512MB
fsync = on
CONF
}

# start_server starts the cluster on $port (PGPORT now, whatever port it was created
# with). A cluster that is already running keeps its port: $port becomes that one, so
# the URL printed is the one that works.
start_server() {
	if as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		local running
		running=$(sed -n 4p "$data/postmaster.pid")
		if [ -n "$running" ] && [ "$running" != "$port" ]; then
			log "PostgreSQL already runs on port $running (not $port); using it"
			port=$running
		fi
		return
	fi
	log "starting PostgreSQL on 127.0.0.1:$port"
	as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $port" -w -t 60 start >&2
}

create_db() {
	local db=$1
	local psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres)
	if ! "${psql[@]}" -d postgres -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
		"${psql[@]}" -d postgres -c "create database \"$db\"" >&2
	fi
	"${psql[@]}" -d "$db" -c "create extension if not exists postgis" >&2
	echo "postgres://postgres@127.0.0.1:$port/$db?sslmode=disable"
}

case "${1:-}" in
start)
	install_packages
	init_cluster
	start_server
	create_db "${2:-wijkwerk}"
	;;
stop)
	as_pg "$bindir/pg_ctl" -D "$data" -m fast stop >&2 || true
	;;
*)
	echo "usage: $0 start DBNAME | stop" >&2
	exit 2
	;;
esac
