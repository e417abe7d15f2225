#!/bin/bash
# The entrypoint of the sandbox's MySQL and MariaDB images, which are built
# from Debian's packages. It keeps the contract of the official `mysql` and
# `mariadb` images that the product's manifests rely on:
#  - MYSQL_* (and MARIADB_*) environment, with *_FILE variants: root
#    password, database, user;
#  - an empty datadir is initialised through a temporary server without
#    networking, which runs /docker-entrypoint-initdb.d (*.sh sourced with
#    docker_process_sql, *.sql, *.sql.gz);
#  - a bad option fails before anything starts (`--verbose --help`);
#  - MariaDB upgrades older data only with MARIADB_AUTO_UPGRADE;
#  - the server runs as the `mysql` user (uid 999), never as root.
set -eo pipefail
shopt -s nullglob

if command -v mariadbd >/dev/null 2>&1; then
	FAMILY=mariadb SERVER=mariadbd CLIENT=mariadb ADMIN=mariadb-admin
else
	FAMILY=mysql SERVER=mysqld CLIENT=mysql ADMIN=mysqladmin
fi

log() { printf '%s [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*"; }
error() { log "ERROR: $*" >&2; exit 1; }

# file_env VAR [DEFAULT]: VAR, or the content of the file VAR_FILE names.
file_env() {
	local var="$1" fileVar="${1}_FILE" def="${2:-}"
	if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
		error "both $var and $fileVar are set (but are exclusive)"
	fi
	local val="$def"
	if [ "${!var:-}" ]; then
		val="${!var}"
	elif [ "${!fileVar:-}" ]; then
		val="$(<"${!fileVar}")"
	fi
	export "$var"="$val"
	unset "$fileVar"
}

# MariaDB's images take MARIADB_* first and MYSQL_* as the fallback.
env_either() {
	local name="$1"
	if [ "$FAMILY" = mariadb ]; then
		file_env "MARIADB_$name"
		file_env "MYSQL_$name"
		local m="MARIADB_$name" y="MYSQL_$name"
		export "MYSQL_$name"="${!m:-${!y:-}}"
	else
		file_env "MYSQL_$name"
	fi
}

server_option() {
	"$@" --verbose --help 2>/dev/null |
		awk -v key="$OPTION" '$1 == key && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }'
}

check_config() {
	local out
	if ! out="$("$@" --verbose --help 2>&1 >/dev/null)"; then
		error "$(printf 'the server failed while checking its configuration.\n\tcommand was: %s\n\t%s' "$*" "$out")"
	fi
}

# docker_process_sql [client options…]: runs SQL from stdin as root over the
# temporary server's socket; the password goes through a defaults file, never
# a command line.
# An option file with the root password: in a double-quoted value a
# backslash escapes the next character.
_passfile() {
	local p="${MYSQL_ROOT_PASSWORD//\\/\\\\}"
	printf '[client]\npassword="%s"\n' "${p//\"/\\\"}"
}

docker_process_sql() {
	if [ -n "$ROOT_READY" ]; then
		# Inline: bash closes a process substitution's fd after its command.
		"$CLIENT" --defaults-extra-file=<(_passfile) \
			--protocol=socket -uroot -hlocalhost --socket="$SOCKET" --comments "$@"
	else
		"$CLIENT" --protocol=socket -uroot -hlocalhost --socket="$SOCKET" --comments "$@"
	fi
}

docker_temp_server_start() {
	"$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" \
		--loose-innodb_buffer_pool_load_at_startup=0 &
	TEMP_PID=$!
	local i
	for i in $(seq 60); do
		# A refused login (error 1045) is an answer too.
		if "$ADMIN" --protocol=socket -uroot --socket="$SOCKET" ping >/dev/null 2>&1 ||
			"$ADMIN" --protocol=socket -uroot --socket="$SOCKET" ping 2>&1 | grep -q 'Access denied'; then
			return 0
		fi
		kill -0 "$TEMP_PID" 2>/dev/null || error 'the temporary server stopped while starting'
		sleep 1
	done
	error 'the temporary server did not answer in 60 seconds'
}

docker_temp_server_stop() {
	kill "$TEMP_PID"
	wait "$TEMP_PID" || true
}

docker_process_init_files() {
	local f
	for f; do
		case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				log "$0: running $f"
				"$f"
			else
				log "$0: sourcing $f"
				# shellcheck disable=SC1090
				. "$f"
			fi
			;;
		*.sql) log "$0: running $f"; docker_process_sql <"$f" ;;
		*.sql.gz) log "$0: running $f"; gunzip -c "$f" | docker_process_sql ;;
		*) log "$0: ignoring $f" ;;
		esac
	done
}

sql_escape() { sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g" <<<"$1"; }

docker_setup_db() {
	local root_host="${MYSQL_ROOT_HOST:-%}" rootPw
	rootPw="$(sql_escape "$MYSQL_ROOT_PASSWORD")"
	local createRoot=
	if [ "$root_host" != localhost ]; then
		createRoot="CREATE USER 'root'@'${root_host}' IDENTIFIED BY '${rootPw}';
			GRANT ALL ON *.* TO 'root'@'${root_host}' WITH GRANT OPTION;"
	fi
	docker_process_sql --database=mysql <<-SQL
		SET @@SESSION.SQL_LOG_BIN=0;
		ALTER USER 'root'@'localhost' IDENTIFIED BY '${rootPw}';
		${createRoot}
		FLUSH PRIVILEGES;
		DROP DATABASE IF EXISTS test;
	SQL
	ROOT_READY=1
	if [ -n "$MYSQL_DATABASE" ]; then
		log "creating database ${MYSQL_DATABASE}"
		docker_process_sql <<<"CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE}\`;"
	fi
	if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
		log "creating user ${MYSQL_USER}"
		docker_process_sql <<<"CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "$MYSQL_PASSWORD")';"
		if [ -n "$MYSQL_DATABASE" ]; then
			docker_process_sql <<<"GRANT ALL ON \`${MYSQL_DATABASE//_/\\_}\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
		fi
	fi
}

docker_init_database_dir() {
	log 'initializing the database files'
	if [ "$FAMILY" = mariadb ]; then
		mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
			--skip-test-db --old-mode='UTF8_IS_UTF8MB3' --default-time-zone=SYSTEM \
			--skip-log-bin --expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 \
			--loose-innodb_buffer_pool_dump_at_shutdown=0 >/dev/null
	else
		"$@" --initialize-insecure --default-time-zone=SYSTEM
	fi
	log 'database files initialized'
}

mariadb_upgrade_if_needed() {
	[ "$FAMILY" = mariadb ] || return 0
	local info="$DATADIR/mariadb_upgrade_info"
	[ -f "$info" ] || info="$DATADIR/mysql_upgrade_info"
	local have want
	have="$(cat "$info" 2>/dev/null || true)"
	want="$("$SERVER" --version | awk '{print $3}')"
	[ -n "$have" ] && [ "${have%%-*}" != "${want%%-*}" ] || return 0
	if [ -z "${MARIADB_AUTO_UPGRADE:-}" ]; then
		log "data of MariaDB $have: set MARIADB_AUTO_UPGRADE to run mariadb-upgrade"
		return 0
	fi
	log "upgrading the system tables from $have to $want"
	docker_temp_server_start "$@" --skip-grant-tables --skip-slave-start
	mariadb-upgrade --protocol=socket --socket="$SOCKET" -uroot --upgrade-system-tables
	docker_temp_server_stop
	log 'upgrade done'
}

if [ "${1:0:1}" = '-' ]; then
	set -- "$SERVER" "$@"
fi

if [ "$1" = mysqld ] || [ "$1" = mariadbd ]; then
	check_config "$@"
	OPTION=datadir DATADIR="$(server_option "$@")"
	OPTION=socket SOCKET="$(server_option "$@")"
	DATADIR="${DATADIR%/}"
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$DATADIR" /var/run/mysqld
		chown -R mysql:mysql "$DATADIR" /var/run/mysqld
		exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
	fi
	env_either ROOT_PASSWORD
	env_either DATABASE
	env_either USER
	env_either PASSWORD
	env_either ROOT_HOST
	file_env MARIADB_AUTO_UPGRADE
	if [ ! -d "$DATADIR/mysql" ]; then
		if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}" ]; then
			error 'Database is uninitialized and password option is not specified
    You need to specify one of the following as an environment variable:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD'
		fi
		docker_init_database_dir "$@"
		log 'starting a temporary server'
		ROOT_READY=
		docker_temp_server_start "$@"
		log 'temporary server started'
		docker_setup_db
		docker_process_init_files /docker-entrypoint-initdb.d/*
		docker_temp_server_stop
		log 'temporary server stopped'
		if [ "$FAMILY" = mariadb ]; then
			"$SERVER" --version | awk '{print $3}' >"$DATADIR/mysql_upgrade_info"
		fi
		log 'init process done. Ready for start up.'
	else
		mariadb_upgrade_if_needed "$@"
	fi
fi

exec "$@"
