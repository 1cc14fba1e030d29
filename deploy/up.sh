#!/usr/bin/env bash
# One machine, separate processes, as a province's servers would be (docs/deploy.md):
#   nginx :8100  ->  app servers :8101 :8102 (wenming serve --production --no-worker);
#   nginx :8099  ->  :8101 alone (the load benchmark's one-server figure)
#   pgbouncer :6432 (transaction mode) -> PostgreSQL 127.0.0.1:5432
#   Redis 127.0.0.1:6379 (cache, sessions, rate limits, the RQ queue), one `wenming worker`
#   stored files: a shared directory (default) or STORE=s3 (moto's S3 server on :8109, for tests)
# Usage: deploy/up.sh [--servers N]   (stop with deploy/down.sh; state under $DEPLOY_DIR)
# Needs the Debian packages nginx (or nginx-light), pgbouncer, redis-server, postgresql.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SERVERS=2
[ "${1:-}" = "--servers" ] && SERVERS=$2
DEPLOY_DIR=${DEPLOY_DIR:-$ROOT/var/deploy}
DB=${DEPLOY_DB:-wenming_deploy}
PORT=${DEPLOY_PORT:-8100}
STORE=${STORE:-fs}
PY=$ROOT/.venv/bin/python
mkdir -p "$DEPLOY_DIR"/{pids,logs,data}
chmod 700 "$DEPLOY_DIR"

for tool in nginx pgbouncer redis-server pg_isready; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] \
    || { echo "missing $tool: apt-get install -y nginx-light pgbouncer redis-server postgresql"; exit 1; }
done
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "create database $DB"
psql -h 127.0.0.1 -U postgres -d "$DB" -qc "create extension if not exists pg_stat_statements" \
  2>/dev/null || echo "(pg_stat_statements not loaded: the load benchmark's query list stays empty)"

start() {  # name, command...: start in the background, remember the pid
  local name=$1; shift
  "$@" >"$DEPLOY_DIR/logs/$name.log" 2>&1 &
  echo $! >"$DEPLOY_DIR/pids/$name.pid"
}

# Redis: the machine's own, else one of ours
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  start redis redis-server --port 6379 --bind 127.0.0.1 --save "" --dir "$DEPLOY_DIR"
fi

# pgbouncer in transaction mode (trust on 127.0.0.1 for this one-machine set-up; a real one
# uses auth_type = scram-sha-256 and an auth_file, see docs/deploy.md)
# pgbouncer refuses to run as root: as root, it runs as postgres from a directory of its own
PGB_DIR=$DEPLOY_DIR/pgbouncer
[ "$(id -u)" = 0 ] && PGB_DIR=/tmp/wenming-deploy-pgbouncer
mkdir -p "$PGB_DIR"
cat >"$PGB_DIR/pgbouncer.ini" <<INI
[databases]
$DB = host=127.0.0.1 port=5432 dbname=$DB user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 6432
auth_type = trust
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 400
ignore_startup_parameters = extra_float_digits,options
unix_socket_dir =
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
INI
echo '"postgres" ""' >"$PGB_DIR/userlist.txt"
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$PGB_DIR"
  su postgres -s /bin/sh -c "/usr/sbin/pgbouncer -d $PGB_DIR/pgbouncer.ini"
else
  /usr/sbin/pgbouncer -d "$PGB_DIR/pgbouncer.ini"
fi
sleep 0.5
cp "$PGB_DIR/pgbouncer.pid" "$DEPLOY_DIR/pids/pgbouncer.pid"

export WENMING_DATA_DIR=$DEPLOY_DIR/data
export WENMING_SECRET_KEY=${WENMING_SECRET_KEY:-$(cat "$DEPLOY_DIR/secret" 2>/dev/null || (head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | tee "$DEPLOY_DIR/secret"))}
export WENMING_PRODUCTION=1 WENMING_HTTPS=0 WENMING_ALLOWED_HOSTS=127.0.0.1,localhost
export WENMING_REDIS_URL=redis://127.0.0.1:6379/3
export WENMING_DB_POOLER=1
export DATABASE_URL=postgres://postgres@127.0.0.1:6432/$DB
if [ "$STORE" = s3 ]; then
  start s3 "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p 8109
  sleep 3
  "$PY" -c "import boto3; boto3.client('s3', endpoint_url='http://127.0.0.1:8109', aws_access_key_id='k', aws_secret_access_key='s', region_name='us-east-1').create_bucket(Bucket='wenming')"
  export WENMING_STORAGE_URL=s3+http://k:s@127.0.0.1:8109/wenming
fi

# the environment of every process, for a benchmark that restarts one (bench/load.py)
env | grep -E '^(WENMING_|DATABASE_URL=)' | sed 's/^/export /' >"$DEPLOY_DIR/env"
chmod 600 "$DEPLOY_DIR/env"

# schema and static files once, straight to PostgreSQL (migrations want a session of their own)
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB "$PY" -m wenming.cli manage migrate -v0
"$PY" -m wenming.cli manage collectstatic --noinput -v0

upstream=""
for i in $(seq 1 "$SERVERS"); do
  port=$((PORT + i))
  start "app$i" "$PY" -m wenming.cli serve --production --no-worker --no-setup --host 127.0.0.1 --port "$port"
  upstream+="    server 127.0.0.1:$port max_fails=1 fail_timeout=2s;"$'\n'
done
start worker "$PY" -m wenming.cli worker --production

cat >"$DEPLOY_DIR/nginx.conf" <<CONF
user $(id -un);  # the workers write request bodies under \$DEPLOY_DIR (private to this account)
worker_processes 1;
pid $DEPLOY_DIR/pids/nginx.pid;
error_log $DEPLOY_DIR/logs/nginx-error.log warn;
events { worker_connections 2048; }
http {
  include /etc/nginx/mime.types;
  access_log $DEPLOY_DIR/logs/nginx-access.log;
  client_body_temp_path $DEPLOY_DIR/nginx-body;
  proxy_temp_path $DEPLOY_DIR/nginx-proxy;
  client_max_body_size 25m;
  client_body_buffer_size 1m;  # a phone's photo stays in memory on its way through
  upstream wenming {
$upstream    keepalive 32;
  }
  # the first app server alone, one port below: the benchmark's "one server" figure
  upstream wenming_one {
    server 127.0.0.1:$((PORT + 1));
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$((PORT - 1));
    location /static/ { alias $WENMING_DATA_DIR/static/; expires 30d; access_log off; }
    location / {
      proxy_pass http://wenming_one;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Request-ID \$request_id;
    }
  }
  server {
    listen 127.0.0.1:$PORT;
    location /static/ { alias $WENMING_DATA_DIR/static/; expires 30d; access_log off; }
    location / {
      proxy_pass http://wenming;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-ID \$request_id;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_read_timeout 120s;
    }
  }
}
CONF
for _ in $(seq 1 120); do
  ok=1
  for i in $(seq 1 "$SERVERS"); do
    curl -fsS "http://127.0.0.1:$((PORT + i))/readyz" >/dev/null 2>&1 || ok=0
  done
  [ $ok = 1 ] && break
  sleep 0.5
done
[ $ok = 1 ] || { echo "app servers did not become ready; see $DEPLOY_DIR/logs"; exit 1; }
nginx -c "$DEPLOY_DIR/nginx.conf" -p "$DEPLOY_DIR"
curl -fsS "http://127.0.0.1:$PORT/readyz"
echo "up: http://127.0.0.1:$PORT/ ($SERVERS app servers, worker, pgbouncer :6432, store $STORE)"
