-- The state of a task's stateful rules (alert lifecycles and histories, open composite windows),
-- written in the same transaction as the metric rows and alerts it goes with, so after a crash
-- the state and the results agree and a restarted task resumes from both. rule_print identifies
-- the rule definition the state was built under; a changed rule starts fresh.

CREATE TABLE IF NOT EXISTS `${prefix}compute_rule_state` (
  task_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  rule_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  rule_print CHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  state_json LONGTEXT NOT NULL,
  written_at DATETIME(3) NOT NULL,
  PRIMARY KEY (task_id, rule_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
