-- Topology: domains, the logstores that hold their logs, the apps and files learned for them,
-- and gateway mappings between the trace ids of two domains.
-- Names, ids and trace ids are ASCII with a binary collation so that lookups match exactly as
-- the in-memory store does; deleting a domain cascades to everything that belongs to it.

CREATE TABLE IF NOT EXISTS `${prefix}domains` (
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  description TEXT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- app and file hold '' when the layout has none: NULLs never collide in a unique key,
-- and (domain, env, app, file) must be unique. JSON is kept as checked text rather than a
-- JSON column so that MySQL, which rewrites JSON documents, hands back what was stored.
CREATE TABLE IF NOT EXISTS `${prefix}logstores` (
  id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  domain VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  layout ENUM('env', 'app', 'file') NOT NULL,
  env VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  app VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  `file` VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  backend VARCHAR(128) NOT NULL,
  location LONGTEXT NOT NULL CHECK (JSON_VALID(location)),
  min_ts BIGINT NULL,
  max_ts BIGINT NULL,
  active TINYINT(1) NULL,
  sensitive_fields LONGTEXT NULL CHECK (sensitive_fields IS NULL OR JSON_VALID(sensitive_fields)),
  PRIMARY KEY (id),
  UNIQUE KEY logstore_key (domain, env, app, `file`),
  CONSTRAINT `${prefix}logstores_domain_fk` FOREIGN KEY (domain) REFERENCES `${prefix}domains` (name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `${prefix}apps` (
  domain VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (domain, name),
  CONSTRAINT `${prefix}apps_domain_fk` FOREIGN KEY (domain) REFERENCES `${prefix}domains` (name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `${prefix}app_files` (
  domain VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  app VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  `file` VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (domain, app, `file`),
  CONSTRAINT `${prefix}app_files_app_fk` FOREIGN KEY (domain, app) REFERENCES `${prefix}apps` (domain, name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Keys lead with the trace id: it is the selective column, and the prefix alone serves the
-- lookup by trace id in any domain while (trace, domain) serves the lookup per domain.
-- The primary key on the whole 4-tuple makes adding a mapping twice a no-op.
CREATE TABLE IF NOT EXISTS `${prefix}gateway_mappings` (
  from_domain VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_trace_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  to_domain VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  to_trace_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ts BIGINT NULL,
  PRIMARY KEY (from_trace_id, from_domain, to_trace_id, to_domain),
  KEY to_side (to_trace_id, to_domain),
  KEY from_domain (from_domain),
  KEY to_domain (to_domain),
  CONSTRAINT `${prefix}gateway_mappings_from_fk` FOREIGN KEY (from_domain) REFERENCES `${prefix}domains` (name) ON DELETE CASCADE,
  CONSTRAINT `${prefix}gateway_mappings_to_fk` FOREIGN KEY (to_domain) REFERENCES `${prefix}domains` (name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
