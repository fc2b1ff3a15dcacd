#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, starting the machine's
# own installations when they are installed but stopped. Says which one is missing otherwise.
set -u

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() {
  if command -v redis-cli >/dev/null; then [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
  else (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; fi
}
wait_for() { for _ in $(seq 1 60); do "$1" && return 0; sleep 0.5; done; return 1; }

ok=0
if pg_up; then echo "postgresql: up"
elif command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "postgresql: starting the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  wait_for pg_up && echo "postgresql: up" || { echo "postgresql: did not come up on 127.0.0.1:5432" >&2; ok=1; }
else
  echo "postgresql: not reachable on 127.0.0.1:5432 and not installed here (docker compose -f infra/docker-compose.yml up -d postgres)" >&2; ok=1
fi

if redis_up; then echo "redis: up"
elif command -v redis-server >/dev/null; then
  echo "redis: starting a local server"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for redis_up && echo "redis: up" || { echo "redis: did not come up on 127.0.0.1:6379" >&2; ok=1; }
else
  echo "redis: not reachable on 127.0.0.1:6379 and not installed here (docker compose -f infra/docker-compose.yml up -d redis)" >&2; ok=1
fi
exit $ok
