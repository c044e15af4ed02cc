#!/usr/bin/env bash
# Makes sure the three services Logfed's integration tests and real deployments talk to answer on
# this machine: MariaDB (127.0.0.1:3306, database `test`), Redis (127.0.0.1:6379) and one Apache
# Kafka 3.9.1 broker in KRaft mode (127.0.0.1:9092), starting whatever does not answer.
# Run by `npm run services` and by vitest's global setup; idempotent and safe to run concurrently.
#
#   scripts/services.sh             ensure all three (default)
#   scripts/services.sh kafka-stop  stop the broker started from the cache (fault tests)
#   scripts/services.sh kafka-start ensure the broker only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION=3.9.1
CACHE_ROOT="${LOGFED_CACHE:-${HOME:-/tmp}/.cache/logfed}"
KAFKA_DIR="$CACHE_ROOT/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_LOG="$KAFKA_DIR/logs/server.log"
KAFKA_OUT="$KAFKA_DIR/logs/kafka.out"
KAFKA_WAIT_S="${LOGFED_KAFKA_WAIT_S:-90}"
SERVICE_WAIT_S="${LOGFED_SERVICE_WAIT_S:-30}"

say() { printf 'services: %s\n' "$*"; }
die() { printf 'services: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- MariaDB

# A real query, not `mysqladmin ping`: ping says "alive" even when root cannot log in.
mysql_answers() { mysql -h127.0.0.1 -P3306 -uroot --connect-timeout=2 -e 'SELECT 1' >/dev/null 2>&1; }

ensure_mysql() {
  if ! mysql_answers; then
    # The server refuses to start when its socket directory is missing (it lives on tmpfs).
    if [ "$(id -u)" = 0 ] && [ ! -d /run/mysqld ]; then
      mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    fi
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 ||
      die "MariaDB could not be started: run 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd' and read /var/log/mysql/error.log"
    local i
    for ((i = 0; i < SERVICE_WAIT_S * 4; i++)); do
      mysql_answers && break
      sleep 0.25
    done
    mysql_answers || die "MariaDB did not answer on 127.0.0.1:3306 as root within ${SERVICE_WAIT_S}s: read /var/log/mysql/error.log, then rerun 'npm run services'"
  fi
  mysql -h127.0.0.1 -P3306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1 ||
    die "MariaDB answers but database 'test' could not be created: check root's grants with mysql -h127.0.0.1 -uroot"
  say "mariadb ready on 127.0.0.1:3306 (database test)"
}

# ---------------------------------------------------------------- Redis

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

ensure_redis() {
  if ! redis_answers; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 ||
      die "Redis could not be started: run redis-server by hand to see why, and read /var/log/redis/ci.log"
    local i
    for ((i = 0; i < SERVICE_WAIT_S * 4; i++)); do
      redis_answers && break
      sleep 0.25
    done
    redis_answers || die "Redis did not answer PONG on 127.0.0.1:6379 within ${SERVICE_WAIT_S}s: read /var/log/redis/ci.log"
  fi
  say "redis ready on 127.0.0.1:6379"
}

# ---------------------------------------------------------------- Kafka

# A real request (cluster metadata) rather than an open port: the port opens before the broker
# has joined its own quorum. The node client is fastest; the broker's own tool works before npm ci.
kafka_answers() {
  if [ -d "$ROOT/node_modules/kafkajs" ]; then
    (cd "$ROOT" && node scripts/kafka/ready.mjs 127.0.0.1:9092) >/dev/null 2>&1
  else
    port_open 9092 && [ -f "$KAFKA_LIBS/.complete" ] &&
      timeout 20 java -cp "$KAFKA_LIBS/*" kafka.admin.BrokerApiVersionsCommand \
        --bootstrap-server 127.0.0.1:9092 >/dev/null 2>&1
  fi
}

kafka_pid() {
  local pid
  [ -f "$KAFKA_PID" ] || return 1
  pid="$(cat "$KAFKA_PID" 2>/dev/null)"
  # A pid file can outlive its process and the number be reused; only trust a live kafka.Kafka.
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

fetch_kafka_jars() {
  [ -f "$KAFKA_LIBS/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is not installed, and it fetches the Kafka broker: install it (apt-get install maven) and rerun 'npm run services'"
  command -v java >/dev/null || die "Java is not installed, and the Kafka broker needs it: install a JDK 17 (apt-get install openjdk-17-jdk-headless) and rerun 'npm run services'"
  say "fetching Kafka $KAFKA_VERSION jars into $KAFKA_LIBS (once)"
  mkdir -p "$KAFKA_DIR/logs"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIBS" >"$KAFKA_DIR/logs/mvn.log" 2>&1 ||
    die "Maven could not fetch the Kafka $KAFKA_VERSION jars: read $KAFKA_DIR/logs/mvn.log (is Maven Central reachable?) and rerun 'npm run services'"
  touch "$KAFKA_LIBS/.complete"
}

write_kafka_config() {
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Written by scripts/services.sh: one combined broker+controller for local runs and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
log.retention.hours=24
log.segment.bytes=16777216
EOF
  cat >"$KAFKA_DIR/log4j.properties" <<EOF
# Written by scripts/services.sh: the broker logs to files in the cache, never to a terminal.
log4j.rootLogger=INFO, server
log4j.appender.server=org.apache.log4j.RollingFileAppender
log4j.appender.server.File=$KAFKA_LOG
log4j.appender.server.MaxFileSize=10MB
log4j.appender.server.MaxBackupIndex=2
log4j.appender.server.layout=org.apache.log4j.PatternLayout
log4j.appender.server.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.controller=WARN
EOF
}

format_kafka_storage() {
  [ -f "$KAFKA_DIR/data/meta.properties" ] && return 0
  local uuid
  uuid="$(java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
    kafka.tools.StorageTool random-uuid 2>>"$KAFKA_OUT")" ||
    die "Kafka's StorageTool could not make a cluster id: read $KAFKA_OUT, or delete $KAFKA_LIBS and rerun 'npm run services'"
  java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
    kafka.tools.StorageTool format -t "$uuid" -c "$KAFKA_DIR/server.properties" >>"$KAFKA_OUT" 2>&1 ||
    die "Kafka storage could not be formatted in $KAFKA_DIR/data: read $KAFKA_OUT, or delete $KAFKA_DIR/data and rerun 'npm run services'"
}

start_kafka() {
  fetch_kafka_jars
  write_kafka_config
  format_kafka_storage
  say "starting Kafka $KAFKA_VERSION (KRaft) from $KAFKA_DIR"
  # setsid + closed descriptors: the broker must outlive this script and never hold a caller's
  # pipe (vitest waits for this script's output to end) or the lock.
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$KAFKA_PID" \
    java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
    </dev/null >"$KAFKA_OUT" 2>&1 9>&- &
  disown || true
}

ensure_kafka() {
  if ! kafka_answers; then
    if ! kafka_pid >/dev/null; then
      if port_open 9092; then
        die "port 9092 is open but does not answer as a Kafka broker: stop whatever listens there (ss -ltnp 'sport = :9092') and rerun 'npm run services'"
      fi
      start_kafka
      sleep 1
    fi
    local i pid
    for ((i = 0; i < KAFKA_WAIT_S * 2; i++)); do
      kafka_answers && break
      pid="$(kafka_pid)" || {
        # Give a starting process a moment to write its pid file before calling it dead.
        [ "$i" -lt 4 ] && { sleep 0.5; continue; }
        die "Kafka exited while starting: read $KAFKA_OUT and $KAFKA_LOG, then rerun 'npm run services'"
      }
      sleep 0.5
    done
    kafka_answers || die "Kafka did not answer on 127.0.0.1:9092 within ${KAFKA_WAIT_S}s: read $KAFKA_LOG and $KAFKA_OUT, then run 'scripts/services.sh kafka-stop' and 'npm run services'"
  fi
  say "kafka ready on 127.0.0.1:9092"
}

stop_kafka() {
  local pid i
  if ! pid="$(kafka_pid)"; then
    rm -f "$KAFKA_PID"
    port_open 9092 && die "a Kafka on 127.0.0.1:9092 was not started from $KAFKA_DIR, so it is not stopped here: stop it where it was started"
    say "kafka is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  # A clean shutdown flushes logs and the metadata snapshot; give it time before forcing.
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  for ((i = 0; i < 40; i++)); do
    port_open 9092 || break
    sleep 0.25
  done
  port_open 9092 && die "Kafka (pid $pid) was stopped but port 9092 is still open: check 'ss -ltnp sport = :9092'"
  rm -f "$KAFKA_PID"
  say "kafka stopped"
}

# ---------------------------------------------------------------- main

with_lock() {
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/services.lock"
  flock -w 600 9 || die "another 'scripts/services.sh' held $CACHE_ROOT/services.lock for 10 minutes: check for a stuck run (fuser $CACHE_ROOT/services.lock)"
  "$@"
}

ensure_all() {
  # Fast path without the lock: when everything answers there is nothing to serialise.
  if mysql_answers && redis_answers && kafka_answers; then
    mysql -h127.0.0.1 -P3306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1 || true
    say "mariadb, redis and kafka already answer"
    return 0
  fi
  with_lock ensure_locked
}

ensure_locked() {
  ensure_mysql
  ensure_redis
  ensure_kafka
}

case "${1:-all}" in
  all) ensure_all ;;
  kafka-start) with_lock ensure_kafka ;;
  kafka-stop) with_lock stop_kafka ;;
  mysql) with_lock ensure_mysql ;;
  redis) with_lock ensure_redis ;;
  *) die "unknown command '$1': use one of all, kafka-start, kafka-stop, mysql, redis" ;;
esac
