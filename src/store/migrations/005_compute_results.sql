-- What compute tasks emit: metric rows upserted on (rule, window start, key) and alert records on
-- (fingerprint, episode start, state), so a task that replays after a crash or a broker restart
-- rewrites the rows it wrote before instead of adding duplicates. key_id is a hash of the
-- order-independent key; key_json and values_json carry the row itself.

CREATE TABLE IF NOT EXISTS `${prefix}metric_rows` (
  rule_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  window_start BIGINT NOT NULL,
  key_id BINARY(20) NOT NULL,
  window_end BIGINT NOT NULL,
  label BIGINT NOT NULL,
  key_json TEXT NOT NULL,
  values_json MEDIUMTEXT NOT NULL,
  written_at DATETIME(3) NOT NULL,
  PRIMARY KEY (rule_id, window_start, key_id),
  KEY metric_rows_end (rule_id, window_end)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `${prefix}alert_events` (
  fingerprint VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  active_since BIGINT NOT NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  rule_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at BIGINT NOT NULL,
  evaluated_at BIGINT NOT NULL,
  notify TINYINT(1) NOT NULL,
  labels_json TEXT NOT NULL,
  message TEXT NOT NULL,
  metric_json MEDIUMTEXT NOT NULL,
  PRIMARY KEY (fingerprint(255), active_since, state),
  KEY alert_events_rule (rule_id, evaluated_at),
  KEY alert_events_time (evaluated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
