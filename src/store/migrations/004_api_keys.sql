-- API keys kept in MySQL rather than in config, so keys can be issued and revoked without a
-- restart. Only the SHA-256 of the whole key is stored (`sha256:<hex>`); the key itself is shown
-- once by `npx tsx src/auth/keygen.ts` and never kept. scope is the key's ScopeSpec as JSON
-- ({"domains": ["shop-*"], "apps": {...}}); revoked keys stay for audit and are refused.

CREATE TABLE IF NOT EXISTS `${prefix}api_keys` (
  id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  hash CHAR(71) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user VARCHAR(128) NOT NULL,
  role ENUM('reader', 'admin') NOT NULL DEFAULT 'reader',
  scope LONGTEXT NOT NULL CHECK (JSON_VALID(scope)),
  expires_at BIGINT NULL,
  revoked TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
