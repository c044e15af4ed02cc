// Mints an API key from the command line: prints the key once (it is never stored) and either
// the `auth.keys` entry to paste into logfed.yaml or, with --mysql, stores the hash in MySQL.
//
//   npx tsx src/auth/keygen.ts --user ci-bot --role reader --domains 'shop-*,pay' [--apps 'shop-*=checkout-*'] [--mysql mysql://…]

import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { isLogfedError } from '../errors/index.js';
import { migrate } from '../store/migrate.js';
import { createMysqlPool } from '../store/mysql.js';
import { configKeySchema, generateKey, insertMysqlKey, type StoredKey } from './keys.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      role: { type: 'string', default: 'reader' },
      domains: { type: 'string', default: '' },
      apps: { type: 'string', multiple: true, default: [] },
      id: { type: 'string' },
      'expires-days': { type: 'string' },
      mysql: { type: 'string' },
    },
  });
  if (!values.user) throw new Error('--user is required: the id the key acts as (affinity and logs name it)');
  const apps: Record<string, string[]> = {};
  for (const rule of values.apps) {
    const [domain, list] = rule.split('=');
    if (!domain || !list) throw new Error(`--apps expects domain=app1,app2, got ${JSON.stringify(rule)}`);
    apps[domain] = list.split(',').map((a) => a.trim()).filter(Boolean);
  }
  const { key, id, hash } = generateKey(values.id);
  const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
  const entry: StoredKey = configKeySchema.parse({
    id,
    hash,
    user: values.user,
    role: values.role,
    scope: { domains: values.domains.split(',').map((d) => d.trim()).filter(Boolean), ...(Object.keys(apps).length ? { apps } : {}) },
    ...(days === undefined ? {} : { expiresAt: Date.now() + days * 86_400_000 }),
  });
  if (values.mysql) {
    const pool = createMysqlPool(values.mysql);
    try {
      await migrate(pool);
      await insertMysqlKey(pool, entry);
    } finally {
      await pool.end();
    }
    process.stdout.write(`stored key ${id} for ${entry.user} in MySQL\n`);
  } else {
    process.stdout.write(`# add to auth.keys in logfed.yaml:\n${stringify([entry])}\n`);
  }
  process.stdout.write(`\nThe key (shown once; send it as Authorization: Bearer <key>):\n${key}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`keygen: ${isLogfedError(err) || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
