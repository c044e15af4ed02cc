-- Log patterns per (domain, app): the template the miner learned, counts, first/last seen,
-- a few raw samples and the annotation engineers add; a per-bucket count history for the
-- histograms (pruned to a retention); and each app's miner state, so mining resumes after a
-- restart. Domain and app come from events, not from the topology, so they are not foreign
-- keys; binary collation makes lookups exact, as in the memory store. Samples and miner states
-- are JSON kept as unchecked text: they hold whatever logs carried, and the lone surrogates of
-- binary lines, which JSON.stringify escapes as \udXXX, fail MariaDB's JSON_VALID.

CREATE TABLE IF NOT EXISTS `${prefix}patterns` (
  domain VARCHAR(128) NOT NULL,
  app VARCHAR(128) NOT NULL,
  pattern_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  template MEDIUMTEXT NOT NULL,
  top_pattern_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  count BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  samples MEDIUMTEXT NOT NULL,
  label VARCHAR(200) NULL,
  cause TEXT NULL,
  advice TEXT NULL,
  annotated_by VARCHAR(128) NULL,
  annotated_at BIGINT NULL,
  PRIMARY KEY (domain, app, pattern_id),
  KEY by_count (count),
  KEY by_last_seen (last_seen),
  KEY by_first_seen (first_seen),
  KEY by_top (domain, app, top_pattern_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `${prefix}pattern_history` (
  domain VARCHAR(128) NOT NULL,
  app VARCHAR(128) NOT NULL,
  pattern_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  bucket BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (domain, app, pattern_id, bucket),
  KEY by_bucket (bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `${prefix}pattern_miners` (
  domain VARCHAR(128) NOT NULL,
  app VARCHAR(128) NOT NULL,
  state LONGTEXT NOT NULL,
  saved_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (domain, app)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
