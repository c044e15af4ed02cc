// Runs the adapter contract on the real MariaDB: one table per seeded logstore, rows inserted in
// shuffled order (ids do not follow time), once with default column names and DATETIME(3), once
// with renamed columns, epoch-ms BIGINT timestamps and a caller's own pool.

import { createPool, type Pool } from 'mysql2/promise';
import type { LogEvent } from '../../src/core/event.js';
import { defineAdapterContract, type AdapterHarness } from '../../test/adapter-contract/index.js';
import { prng } from '../../test/adapter-contract/dataset.js';
import { createMysqlAdapter } from './index.js';

const MYSQL_URL = process.env.LOGFED_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

interface Variant {
  columns?: Record<string, string>;
  ddl: (table: string) => string;
  row: (e: LogEvent) => unknown[];
  ownPool: boolean;
}

const plain: Variant = {
  ownPool: false,
  ddl: (t) => `CREATE TABLE ${t} (id BIGINT AUTO_INCREMENT PRIMARY KEY, ts DATETIME(3) NOT NULL, level VARCHAR(16), message TEXT NOT NULL,
    app VARCHAR(64), file VARCHAR(64), host VARCHAR(64), trace_id VARCHAR(64), env VARCHAR(32), KEY ts_id (ts, id)) DEFAULT CHARSET=utf8mb4`,
  row: (e) => [new Date(e.ts).toISOString().replace('T', ' ').replace('Z', ''), e.level, e.message, e.app, e.file, e.host ?? null, e.traceId ?? null, e.env],
};

const renamed: Variant = {
  ownPool: true,
  columns: { ts: 'event_ms', level: 'lvl', message: 'msg', app: 'service', file: 'logfile', traceId: 'trace', env: 'stage', id: 'row_id' },
  ddl: (t) => `CREATE TABLE ${t} (row_id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, event_ms BIGINT NOT NULL, lvl VARCHAR(16), msg MEDIUMTEXT NOT NULL,
    service VARCHAR(64), logfile VARCHAR(64), trace VARCHAR(64), stage VARCHAR(32), KEY ms_id (event_ms, row_id)) DEFAULT CHARSET=utf8mb4`,
  // Lower-case levels as some loggers write them: the adapter normalises them.
  row: (e) => [e.ts, e.level?.toLowerCase(), e.message, e.app, e.file, e.traceId ?? null, e.env],
};

function mysqlHarness(v: Variant): () => Promise<AdapterHarness> {
  return async () => {
    const pool: Pool = createPool({ uri: MYSQL_URL, connectionLimit: 4 });
    const adapter = v.ownPool ? createMysqlAdapter({ pool }) : createMysqlAdapter({ url: MYSQL_URL });
    const tables: string[] = [];
    const insert = async (table: string, events: LogEvent[]) => {
      const r = prng(events.length);
      const shuffled = events.map((e) => [r(), e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
      const cols = v.columns ? Object.values(v.columns).filter((c) => c !== v.columns!.id) : ['ts', 'level', 'message', 'app', 'file', 'host', 'trace_id', 'env'];
      for (let i = 0; i < shuffled.length; i += 100) {
        const chunk = shuffled.slice(i, i + 100);
        await pool.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ?`, [chunk.map(v.row)]);
      }
    };
    return {
      adapter,
      async seed(events, opts) {
        const table = `logfed_ct_${process.pid}_${Date.now().toString(36)}_${tables.length}`;
        tables.push(table);
        await pool.query(v.ddl(table));
        await insert(table, events);
        const location = { table, ...(v.columns ? { columns: v.columns } : {}) };
        return {
          id: table,
          domain: opts.domain,
          env: opts.env,
          logstore: { id: table, domain: opts.domain, env: opts.env, layout: opts.layout, app: opts.app, file: opts.file, backend: 'mysql', location },
        };
      },
      append: (target, events) => insert(target.logstore.id, events),
      async cleanup() {
        for (const t of tables) await pool.query(`DROP TABLE IF EXISTS ${t}`);
        await adapter.close?.();
        await pool.end();
      },
    };
  };
}

defineAdapterContract('mysql (DATETIME, default columns)', mysqlHarness(plain));
defineAdapterContract('mysql (epoch ms, renamed columns, caller pool)', mysqlHarness(renamed));
