-- Compute rules (data types, parse, mask, dimension and process rules) as data, for gateways that
-- share their rules or keep them across restarts (compute.rules.source: mysql).
-- body is the rule as saved (JSON, checked on every load); kind, version and online mirror it for
-- listing, and online is what setRuleOnline switches. refreshed_at: when a task last loaded the
-- rule, and refreshed_version which version that was, so an operator can see whether a change
-- (through the API or by hand) has taken effect.

CREATE TABLE IF NOT EXISTS `${prefix}compute_rules` (
  id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version INT UNSIGNED NOT NULL,
  online TINYINT(1) NOT NULL,
  body LONGTEXT NOT NULL CHECK (JSON_VALID(body)),
  refreshed_at DATETIME(3) NULL,
  refreshed_version INT UNSIGNED NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY compute_rules_kind (kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
