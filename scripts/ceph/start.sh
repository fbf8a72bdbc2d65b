#!/usr/bin/env bash
# Start a one-node, in-memory Ceph cluster with a RADOS Gateway (a real S3 server) on loopback, for objbatch's
# Ceph test tier (npm run test:ceph) and the S3 benchmark (npm run bench:s3 -- --ceph).
#
# One monitor, one OSD on memstore (objects live in the OSD's memory, nothing on disk), no cephx, pools of size 1,
# and radosgw with the beast frontend. Runs as root in a container without systemd: every daemon is started by
# hand with its config, logs, sockets and pid files under one state directory. Idempotent: when the gateway
# already answers, it only makes sure the S3 user exists. Needs the Debian packages radosgw, ceph-mon, ceph-osd.
#
# Environment (all optional):
#   OBJBATCH_CEPH_DIR          state directory                 (default /tmp/objbatch-ceph)
#   OBJBATCH_CEPH_PORT         gateway port on 127.0.0.1       (default 7480)
#   OBJBATCH_CEPH_MON_PORT     monitor port (msgr v2)          (default 3300)
#   OBJBATCH_CEPH_ACCESS_KEY   S3 access key of the dev user   (default objbatch-dev-access)
#   OBJBATCH_CEPH_SECRET_KEY   S3 secret key of the dev user   (default objbatch-dev-secret-key-0123456789)
#   OBJBATCH_CEPH_MEMSTORE_MB  OSD memstore capacity in MiB    (default 1024)
#   OBJBATCH_CEPH_TIMEOUT      seconds to wait for the gateway (default 180)
set -euo pipefail

DIR=${OBJBATCH_CEPH_DIR:-/tmp/objbatch-ceph}
PORT=${OBJBATCH_CEPH_PORT:-7480}
MON_PORT=${OBJBATCH_CEPH_MON_PORT:-3300}
ACCESS_KEY=${OBJBATCH_CEPH_ACCESS_KEY:-objbatch-dev-access}
SECRET_KEY=${OBJBATCH_CEPH_SECRET_KEY:-objbatch-dev-secret-key-0123456789}
MEMSTORE_MB=${OBJBATCH_CEPH_MEMSTORE_MB:-1024}
TIMEOUT=${OBJBATCH_CEPH_TIMEOUT:-180}
CONF="$DIR/ceph.conf"
HERE=$(cd "$(dirname "$0")" && pwd)
STARTED_AT=$(date +%s)

log() { printf '[ceph %3ss] %s\n' "$(($(date +%s) - STARTED_AT))" "$*" >&2; }

# Print the tail of every daemon log, then exit: the cause is nearly always in the last lines of one of them.
fail() {
  log "FAILED: $*"
  for f in "$DIR"/log/*.log; do
    [ -f "$f" ] || continue
    printf '\n--- last 25 lines of %s ---\n' "$f" >&2
    tail -n 25 "$f" >&2
  done
  "$HERE/stop.sh" >&2 || true
  exit 1
}

# The HTTP status code of GET / on the gateway, or 000 when nothing answers. Uses bash's /dev/tcp so the script
# needs no curl.
gateway_status() {
  local line
  line=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && head -n1 <&3" 2>/dev/null) || true
  case "$line" in HTTP/*) echo "$line" | awk '{print $2}' ;; *) echo 000 ;; esac
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Try a command up to $1 times, a second apart (the monitor and OSD accept commands a moment after they start).
retry() {
  local tries=$1 i
  shift
  for i in $(seq 1 "$tries"); do
    if "$@"; then return 0; fi
    sleep 1
  done
  return 1
}

ensure_user() {
  local out
  if out=$(radosgw-admin -c "$CONF" -n client.admin user info --uid=objbatch 2>&1); then
    if ! grep -q "\"access_key\": \"$ACCESS_KEY\"" <<<"$out"; then
      radosgw-admin -c "$CONF" -n client.admin key create --uid=objbatch --key-type=s3 \
        --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
    fi
  else
    radosgw-admin -c "$CONF" -n client.admin user create --uid=objbatch --display-name="objbatch dev" \
      --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  fi
}

print_endpoint() {
  cat <<EOF
OBJBATCH_CEPH_ENDPOINT=http://127.0.0.1:$PORT
OBJBATCH_CEPH_ACCESS_KEY=$ACCESS_KEY
OBJBATCH_CEPH_SECRET_KEY=$SECRET_KEY
OBJBATCH_CEPH_REGION=us-east-1
EOF
}

for bin in ceph ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool; do
  command -v "$bin" >/dev/null || fail "$bin not found: install the Debian packages radosgw ceph-mon ceph-osd"
done

RGW_PID="$DIR/run/client.rgw.a.pid"
if pid_alive "$RGW_PID" && [ "$(gateway_status)" != 000 ]; then
  log "already running (state in $DIR)"
  retry 5 ensure_user || fail "could not create the S3 user"
  print_endpoint
  exit 0
fi

# Anything half-started (or a stale directory from a killed run) is thrown away: memstore keeps no data anyway.
"$HERE/stop.sh" >/dev/null 2>&1 || true
if [ "$(gateway_status)" != 000 ]; then
  fail "something else already answers on 127.0.0.1:$PORT; set OBJBATCH_CEPH_PORT"
fi
rm -rf "$DIR"
mkdir -p "$DIR"/{run,log,mon/ceph-a,osd/ceph-0}

FSID=$(cat /proc/sys/kernel/random/uuid)
cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
# radosgw asks the monitor for "secure" connection mode only, which auth none can not give it.
ms mon client mode = crc secure
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = false
crash dir = $DIR/crash
# One OSD: every pool keeps one copy, and CRUSH places it on an OSD, not a host.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
# radosgw creates about eight pools; 8 placement groups each stays under mon max pg per osd (250).
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool delete = true
debug ms = 0
debug mon = 1
debug osd = 1
debug rgw = 1

[mon]
mon data = $DIR/mon/ceph-\$id

[osd]
osd data = $DIR/osd/ceph-\$id
osd objectstore = memstore
memstore device bytes = $((MEMSTORE_MB * 1024 * 1024))
osd crush update on start = false

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw thread pool size = 128
rgw init timeout = $TIMEOUT
rgw dns name = 127.0.0.1
EOF

log "monitor"
ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
  --cap mgr 'allow *' >/dev/null
monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" >>"$DIR/log/mkfs.log" 2>&1 ||
  fail "ceph-mon --mkfs"
ceph-mon -c "$CONF" -i a || fail "ceph-mon did not start"

CEPH=(ceph -c "$CONF" -n client.admin --connect-timeout 10)
retry 30 "${CEPH[@]}" mon stat >/dev/null 2>&1 || fail "the monitor does not answer"

log "OSD (memstore, ${MEMSTORE_MB} MiB)"
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
osd_id=$("${CEPH[@]}" osd new "$OSD_UUID") || fail "ceph osd new"
[ "$osd_id" = 0 ] || fail "expected osd id 0, got $osd_id"
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >>"$DIR/log/mkfs.log" 2>&1 || fail "ceph-osd --mkfs"
"${CEPH[@]}" osd crush add osd.0 1.0 root=default >/dev/null 2>&1 || fail "adding osd.0 to the CRUSH map"
ceph-osd -c "$CONF" -i 0 || fail "ceph-osd did not start"

osd_up() { "${CEPH[@]}" osd dump 2>/dev/null | grep -q '^osd\.0 up'; }
retry "$TIMEOUT" osd_up || fail "osd.0 did not come up within ${TIMEOUT}s"

log "gateway on 127.0.0.1:$PORT"
radosgw -c "$CONF" -n client.rgw.a || fail "radosgw did not start"
deadline=$(($(date +%s) + TIMEOUT))
until [ "$(gateway_status)" != 000 ]; do
  # The pid file appears once radosgw has daemonized; gone again (or a dead pid) means it exited.
  if [ -f "$RGW_PID" ] && ! pid_alive "$RGW_PID"; then fail "radosgw exited"; fi
  [ "$(date +%s)" -lt "$deadline" ] || fail "the gateway does not answer on 127.0.0.1:$PORT after ${TIMEOUT}s"
  sleep 1
done

log "S3 user"
retry 10 ensure_user || fail "could not create the S3 user"

rss() { ps -o rss= -p "$(cat "$1" 2>/dev/null)" 2>/dev/null | awk '{printf "%d MiB", $1/1024}'; }
log "ready in $(($(date +%s) - STARTED_AT))s; memory: mon $(rss "$DIR/run/mon.a.pid"), osd $(rss "$DIR/run/osd.0.pid"), radosgw $(rss "$RGW_PID")"
print_endpoint
