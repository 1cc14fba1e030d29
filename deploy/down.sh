#!/usr/bin/env bash
# Stop what deploy/up.sh started, by the pids it recorded.
set -uo pipefail
cd "$(dirname "$0")/.."
DEPLOY_DIR=${DEPLOY_DIR:-$(pwd)/var/deploy}
[ -f "$DEPLOY_DIR/pids/nginx.pid" ] && nginx -c "$DEPLOY_DIR/nginx.conf" -p "$DEPLOY_DIR" -s stop
for file in "$DEPLOY_DIR"/pids/*.pid; do
  [ -f "$file" ] || continue
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null && echo "stopped $(basename "$file" .pid) ($pid)"
  rm -f "$file"
done
