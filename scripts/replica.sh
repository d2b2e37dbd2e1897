#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL, for the read-replica tests and CI (Debian's
# postgresql-common tools; run as root or as the postgres user).
#
#   scripts/replica.sh up     creates the cluster "replica" on port 5433 from the primary (port
#                             5432) with pg_basebackup and starts it; a no-op when it already runs
#   scripts/replica.sh down   stops and drops it, and drops its replication slot on the primary
#
# Settings: REPLICA_PORT (5433), PRIMARY_PORT (5432), PRIMARY_CLUSTER (main), REPLICA_CLUSTER
# (replica), PG_VERSION (the newest in /etc/postgresql), REPLICA_MAX_RATE (pg_basebackup
# --max-rate, e.g. 50M, to spare a busy primary's disk; unset: as fast as it goes),
# REPLICA_WAIT_SECONDS (120: how long "up" waits for the replica to accept connections).
#
# The primary needs wal_level replica or logical (PostgreSQL's default) and a pg_hba.conf line that
# lets postgres replicate from 127.0.0.1; "up" adds that line when it is missing and reloads the
# primary (no restart). The replica streams through a physical replication slot, so the primary
# keeps the WAL it has not received yet (a replica stopped for a while catches up when started
# again); "down" drops the slot so that nothing is kept for a replica that is gone.
set -euo pipefail

PG_VERSION=${PG_VERSION:-$(ls /etc/postgresql | sort -V | tail -n 1)}
PRIMARY_CLUSTER=${PRIMARY_CLUSTER:-main}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_CLUSTER=${REPLICA_CLUSTER:-replica}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_WAIT_SECONDS=${REPLICA_WAIT_SECONDS:-120}
SLOT=audit_console_${REPLICA_CLUSTER}
CONF_DIR=/etc/postgresql/$PG_VERSION
BIN=/usr/lib/postgresql/$PG_VERSION/bin

say() { echo "[replica] $*"; }

# Commands that write the clusters' files run as postgres.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

primary_sql() { psql -X -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atqc "$1"; }
replica_sql() { psql -X -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atqc "$1" 2>/dev/null; }

cluster_exists() { [ -d "$CONF_DIR/$REPLICA_CLUSTER" ]; }
replica_in_recovery() { [ "$(replica_sql 'select pg_is_in_recovery()' || true)" = "t" ]; }

drop_slot() {
  primary_sql "select pg_drop_replication_slot(slot_name) from pg_replication_slots
               where slot_name = '$SLOT' and not active" >/dev/null
}

allow_replication() {
  local hba
  hba=$(primary_sql 'show hba_file')
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(postgres|all)[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    say "allowing replication connections from 127.0.0.1 in $hba (and reloading the primary)"
    # Before the other lines: pg_hba.conf is read top down, the first match wins.
    local tmp
    tmp=$(mktemp)
    { echo "host replication postgres 127.0.0.1/32 trust # scripts/replica.sh"; cat "$hba"; } >"$tmp"
    cat "$tmp" >"$hba"
    rm -f "$tmp"
    primary_sql 'select pg_reload_conf()' >/dev/null
  fi
  local level
  level=$(primary_sql 'show wal_level')
  if [ "$level" = minimal ]; then
    echo "[replica] cannot start: the primary's wal_level is minimal; set it to replica and restart it" >&2
    exit 1
  fi
}

wait_ready() {
  local started=$SECONDS
  until replica_in_recovery; do
    if ((SECONDS - started > REPLICA_WAIT_SECONDS)); then
      echo "[replica] the replica did not accept connections within $REPLICA_WAIT_SECONDS s; its log:" >&2
      tail -n 30 "/var/log/postgresql/postgresql-$PG_VERSION-$REPLICA_CLUSTER.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

up() {
  if cluster_exists && replica_in_recovery; then
    say "already running on port $REPLICA_PORT (in recovery), nothing to do"
    return
  fi
  local started=$SECONDS
  allow_replication
  if cluster_exists; then
    # Left behind stopped (a reboot, a failed run): start it again when it is a standby, else remake it.
    local data
    data=$(pg_conftool -s "$PG_VERSION" "$REPLICA_CLUSTER" show data_directory 2>/dev/null || true)
    if [ -n "$data" ] && [ -f "$data/standby.signal" ]; then
      say "starting the existing replica"
      pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" start || true
      wait_ready
      say "ready on port $REPLICA_PORT in $((SECONDS - started)) s"
      return
    fi
    pg_dropcluster --stop "$PG_VERSION" "$REPLICA_CLUSTER"
  fi
  drop_slot

  say "creating cluster $PG_VERSION/$REPLICA_CLUSTER on port $REPLICA_PORT"
  pg_createcluster "$PG_VERSION" "$REPLICA_CLUSTER" -p "$REPLICA_PORT" >/dev/null
  local data
  data=$(pg_conftool -s "$PG_VERSION" "$REPLICA_CLUSTER" show data_directory)
  # The replica's clients are authenticated as the primary's are.
  cp "$(primary_sql 'show hba_file')" "$CONF_DIR/$REPLICA_CLUSTER/pg_hba.conf"
  # Queries on the replica are not cancelled for vacuum on the primary that removes rows they see.
  pg_conftool "$PG_VERSION" "$REPLICA_CLUSTER" set hot_standby_feedback on
  find "$data" -mindepth 1 -delete

  local rate=()
  if [ -n "${REPLICA_MAX_RATE:-}" ]; then rate=(--max-rate "$REPLICA_MAX_RATE"); fi
  say "copying the primary with pg_basebackup ($(primary_sql "select pg_size_pretty(sum(pg_database_size(datname))) from pg_database"))"
  local copy_started=$SECONDS
  as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" \
    -R -X stream -C -S "$SLOT" --checkpoint=fast "${rate[@]}"
  say "base backup done in $((SECONDS - copy_started)) s"

  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" start
  wait_ready
  say "ready on port $REPLICA_PORT, streaming from port $PRIMARY_PORT, in $((SECONDS - started)) s"
}

down() {
  if cluster_exists; then
    pg_dropcluster --stop "$PG_VERSION" "$REPLICA_CLUSTER"
    say "stopped and dropped $PG_VERSION/$REPLICA_CLUSTER"
  else
    say "no cluster $PG_VERSION/$REPLICA_CLUSTER, nothing to stop"
  fi
  if primary_sql 'select 1' >/dev/null 2>&1; then drop_slot; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
