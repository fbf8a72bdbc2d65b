#!/usr/bin/env bash
# Stop the in-memory Ceph cluster that scripts/ceph/start.sh started: the gateway, the OSD and the monitor, by the
# pid files in its state directory (never by process name, so another Ceph on the machine is left alone). Their
# data lived in memory and is gone; the logs stay in $OBJBATCH_CEPH_DIR/log until the next start.
set -euo pipefail

DIR=${OBJBATCH_CEPH_DIR:-/tmp/objbatch-ceph}
[ -d "$DIR/run" ] || exit 0

pids=()
for name in client.rgw.a osd.0 mon.a; do
  f="$DIR/run/$name.pid"
  if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
    kill -TERM "$(cat "$f")" 2>/dev/null || true
    pids+=("$(cat "$f")")
  fi
done
for _ in $(seq 1 40); do
  alive=()
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.25
done
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true; done
rm -rf "$DIR/run" "$DIR/mon" "$DIR/osd" "$DIR/monmap" "$DIR/keyring"
echo "ceph stopped (logs in $DIR/log)"
