#!/usr/bin/env bash
# Makes sure the services Logfed's integration tests and real deployments talk to answer on
# this machine: MariaDB (127.0.0.1:3306, database `test`), Redis (127.0.0.1:6379), one Apache
# Kafka 3.9.1 broker in KRaft mode (127.0.0.1:9092) and one OpenSearch 2.19 node
# (127.0.0.1:9200), starting whatever does not answer.
# Run by `npm run services` and by vitest's global setup; idempotent and safe to run concurrently.
#
#   scripts/services.sh                  ensure all of them (default)
#   scripts/services.sh kafka-stop       stop the broker started from the cache (fault tests)
#   scripts/services.sh kafka-start      ensure the broker only
#   scripts/services.sh opensearch-stop  stop the OpenSearch node started from the cache
#   scripts/services.sh opensearch-start ensure the OpenSearch node only
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
OPENSEARCH_VERSION=2.19.6
OPENSEARCH_URL=http://127.0.0.1:9200
OPENSEARCH_USER="${LOGFED_OPENSEARCH_USER:-logfed}"
OPENSEARCH_WAIT_S="${LOGFED_OPENSEARCH_WAIT_S:-180}"

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

# A pid file can outlive its process and the number be reused; only trust a live process whose
# command line holds the given text.
pid_from() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)"
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

kafka_pid() { pid_from "$KAFKA_PID" 'kafka.Kafka'; }

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

# Stops a service we started: TERM, then KILL after a minute, then waits for its port to close.
stop_pid() {
  local name="$1" pid="$2" port="$3" i
  kill -TERM "$pid" 2>/dev/null || true
  # A clean shutdown flushes logs and metadata; give it time before forcing.
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  for ((i = 0; i < 40; i++)); do
    port_open "$port" || break
    sleep 0.25
  done
  port_open "$port" && die "$name (pid $pid) was stopped but port $port is still open: check 'ss -ltnp sport = :$port'"
  return 0
}

stop_kafka() {
  local pid
  if ! pid="$(kafka_pid)"; then
    rm -f "$KAFKA_PID"
    port_open 9092 && die "a Kafka on 127.0.0.1:9092 was not started from $KAFKA_DIR, so it is not stopped here: stop it where it was started"
    say "kafka is not running"
    return 0
  fi
  stop_pid Kafka "$pid" 9092
  rm -f "$KAFKA_PID"
  say "kafka stopped"
}

# ---------------------------------------------------------------- OpenSearch

# Health, not an open port: the port opens before the node has recovered its indices.
opensearch_answers() {
  local body
  body="$(curl -fsS --max-time 3 "$OPENSEARCH_URL/_cluster/health" 2>/dev/null)" || return 1
  [[ "$body" =~ \"status\":\"(green|yellow)\" ]]
}

# OpenSearch refuses to run as root, so as root it runs as a dedicated system user that owns its
# directory. That user cannot reach a cache inside a private home (/root is 0700); the node then
# lives under /var/cache/logfed rather than loosening the home's permissions.
opensearch_layout() {
  OS_RUN_AS=""
  OS_DIR="$CACHE_ROOT/opensearch-$OPENSEARCH_VERSION"
  if [ "$(id -u)" = 0 ]; then
    OS_RUN_AS="$OPENSEARCH_USER"
    if ! id -u "$OS_RUN_AS" >/dev/null 2>&1; then
      useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_RUN_AS" ||
        die "OpenSearch must not run as root and user '$OS_RUN_AS' could not be created: create it (useradd --system $OS_RUN_AS) or set LOGFED_OPENSEARCH_USER, then rerun 'scripts/services.sh opensearch-start'"
    fi
    as_opensearch_user test -x "$CACHE_ROOT" || OS_DIR="/var/cache/logfed/opensearch-$OPENSEARCH_VERSION"
  fi
  OS_PID="$OS_DIR/opensearch.pid"
  OS_OUT="$OS_DIR/logs/opensearch.out"
  OS_LOG="$OS_DIR/logs/logfed-local.log"
}

as_opensearch_user() {
  if [ -n "$OS_RUN_AS" ]; then
    setpriv --reuid="$OS_RUN_AS" --regid="$OS_RUN_AS" --init-groups -- "$@"
  else
    "$@"
  fi
}

# The launcher script and then the JVM (-Dopensearch.path.home=...) both name the directory.
opensearch_pid() { pid_from "$OS_PID" "$OS_DIR"; }

# The minimal distribution Maven Central publishes (no plugins, so no security plugin): one zip,
# unpacked once; later starts reuse it.
fetch_opensearch() {
  [ -f "$OS_DIR/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is not installed, and it fetches OpenSearch: install it (apt-get install maven) and rerun 'scripts/services.sh opensearch-start'"
  command -v java >/dev/null || die "Java is not installed, and OpenSearch needs it: install a JDK 17 (apt-get install openjdk-17-jdk-headless) and rerun 'scripts/services.sh opensearch-start'"
  command -v unzip >/dev/null || die "unzip is not installed, and it unpacks OpenSearch: install it (apt-get install unzip) and rerun 'scripts/services.sh opensearch-start'"
  say "fetching OpenSearch $OPENSEARCH_VERSION into $OS_DIR (once)"
  local parent tmp
  parent="$(dirname "$OS_DIR")"
  tmp="$parent/.opensearch-$OPENSEARCH_VERSION.tmp"
  rm -rf "$tmp" "$OS_DIR"
  mkdir -p "$tmp"
  mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip" \
    -DoutputDirectory="$tmp" >"$parent/opensearch-mvn.log" 2>&1 ||
    die "Maven could not fetch OpenSearch $OPENSEARCH_VERSION: read $parent/opensearch-mvn.log (is Maven Central reachable?) and rerun 'scripts/services.sh opensearch-start'"
  unzip -q "$tmp/opensearch-$OPENSEARCH_VERSION.zip" -d "$tmp" ||
    die "the OpenSearch $OPENSEARCH_VERSION zip in $tmp could not be unpacked: delete $tmp and rerun 'scripts/services.sh opensearch-start'"
  mv "$tmp/opensearch-$OPENSEARCH_VERSION" "$OS_DIR"
  rm -rf "$tmp"
  touch "$OS_DIR/.complete"
}

write_opensearch_config() {
  mkdir -p "$OS_DIR/data" "$OS_DIR/logs"
  cat >"$OS_DIR/config/opensearch.yml" <<EOF
# Written by scripts/services.sh: one node for local runs and tests, reachable from this host only.
cluster.name: logfed-local
node.name: logfed-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: 9200
transport.port: 9300
path.data: $OS_DIR/data
path.logs: $OS_DIR/logs
# A nearly full disk must not turn test indices read-only.
cluster.routing.allocation.disk.watermark.low: 97%
cluster.routing.allocation.disk.watermark.high: 98%
cluster.routing.allocation.disk.watermark.flood_stage: 99%
action.auto_create_index: true
EOF
  if [ -n "$OS_RUN_AS" ]; then
    chown -R "$OS_RUN_AS:" "$OS_DIR" ||
      die "could not give $OS_DIR to user $OS_RUN_AS: check that the filesystem allows chown, then rerun 'scripts/services.sh opensearch-start'"
  fi
}

start_opensearch() {
  fetch_opensearch
  write_opensearch_config
  local java_home
  local -a run_as=()
  java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  [ -n "$OS_RUN_AS" ] && run_as=(setpriv --reuid="$OS_RUN_AS" --regid="$OS_RUN_AS" --init-groups --)
  say "starting OpenSearch $OPENSEARCH_VERSION from $OS_DIR${OS_RUN_AS:+ as user $OS_RUN_AS}"
  rm -f "$OS_PID"
  # As for Kafka: the node outlives this script and holds neither a caller's pipe nor the lock.
  # Every step execs the next, so the pid written first is the JVM's.
  (
    cd "$OS_DIR"
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$OS_PID" "${run_as[@]}" \
      env JAVA_HOME="$java_home" OPENSEARCH_PATH_CONF="$OS_DIR/config" OPENSEARCH_JAVA_OPTS="-Xms512m -Xmx512m" \
      "$OS_DIR/bin/opensearch" </dev/null >"$OS_OUT" 2>&1 9>&- &
  )
}

ensure_opensearch() {
  if ! opensearch_answers; then
    opensearch_layout
    if ! opensearch_pid >/dev/null; then
      if port_open 9200; then
        die "port 9200 is open but does not answer as OpenSearch: stop whatever listens there (ss -ltnp 'sport = :9200') and rerun 'npm run services'"
      fi
      start_opensearch
      sleep 1
    fi
    local i
    for ((i = 0; i < OPENSEARCH_WAIT_S * 2; i++)); do
      opensearch_answers && break
      opensearch_pid >/dev/null || {
        [ "$i" -lt 4 ] && { sleep 0.5; continue; }
        die "OpenSearch exited while starting: read $OS_OUT and $OS_LOG, then rerun 'scripts/services.sh opensearch-start'"
      }
      sleep 0.5
    done
    opensearch_answers || die "OpenSearch did not answer green or yellow on $OPENSEARCH_URL within ${OPENSEARCH_WAIT_S}s: read $OS_LOG and $OS_OUT, then run 'scripts/services.sh opensearch-stop' and 'npm run services'"
  fi
  say "opensearch ready on 127.0.0.1:9200"
}

stop_opensearch() {
  local pid
  opensearch_layout
  if ! pid="$(opensearch_pid)"; then
    rm -f "$OS_PID"
    port_open 9200 && die "an OpenSearch on 127.0.0.1:9200 was not started from $OS_DIR, so it is not stopped here: stop it where it was started"
    say "opensearch is not running"
    return 0
  fi
  stop_pid OpenSearch "$pid" 9200
  rm -f "$OS_PID"
  say "opensearch stopped"
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
  if mysql_answers && redis_answers && kafka_answers && opensearch_answers; then
    mysql -h127.0.0.1 -P3306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1 || true
    say "mariadb, redis, kafka and opensearch already answer"
    return 0
  fi
  with_lock ensure_locked
}

ensure_locked() {
  ensure_mysql
  ensure_redis
  ensure_kafka
  ensure_opensearch
}

case "${1:-all}" in
  all) ensure_all ;;
  kafka-start) with_lock ensure_kafka ;;
  kafka-stop) with_lock stop_kafka ;;
  opensearch-start) with_lock ensure_opensearch ;;
  opensearch-stop) with_lock stop_opensearch ;;
  mysql) with_lock ensure_mysql ;;
  redis) with_lock ensure_redis ;;
  *) die "unknown command '$1': use one of all, kafka-start, kafka-stop, opensearch-start, opensearch-stop, mysql, redis" ;;
esac
