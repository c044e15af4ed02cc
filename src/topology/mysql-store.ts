// The topology store on MySQL / MariaDB, for gateways that share their topology or keep it
// across restarts. Tables come from src/store/migrations (run `migrate` first); every value
// travels as a bound parameter. Same contract as the memory store (test/topology-contract).

import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { isLogfedError, toLogfedError } from '../errors/index.js';
import { DEFAULT_TABLE_PREFIX, checkTablePrefix } from '../store/migrate.js';
import type { App, Domain, GatewayMapping, Layout, Logstore, TopologyStore } from './types.js';
import {
  isLogstoreId,
  isName,
  isTraceId,
  logstoreKeyConflict,
  unknownDomain,
  validateAppFiles,
  validateDomain,
  validateGatewayMapping,
  validateLogstore,
} from './validate.js';

export interface MysqlTopologyStoreOptions {
  /** Prefix of the tables, as given to `migrate`; defaults to `logfed_`. */
  tablePrefix?: string;
}

type Param = string | number | null;

const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
const optionalNumber = (value: unknown) => (value === null || value === undefined ? undefined : Number(value));

const driverCode = (err: unknown) => (err as { code?: unknown } | null)?.code;
const isDuplicate = (err: unknown) => driverCode(err) === 'ER_DUP_ENTRY';
const isMissingParent = (err: unknown) => driverCode(err) === 'ER_NO_REFERENCED_ROW_2' || driverCode(err) === 'ER_NO_REFERENCED_ROW';

// Prepared statements are cached per distinct SQL text, so IN lists are padded to a power of
// two (repeating the last value) to keep the number of distinct statements small.
const IN_CHUNK = 512;
function inList(values: readonly string[]): { marks: string; params: string[] } {
  const size = 2 ** Math.ceil(Math.log2(values.length));
  const params = [...values];
  while (params.length < size) params.push(values[values.length - 1]);
  return { marks: params.map(() => '?').join(', '), params };
}

function toLogstore(r: RowDataPacket): Logstore {
  const ls: Logstore = {
    id: r.id,
    domain: r.domain,
    layout: r.layout as Layout,
    env: r.env,
    backend: r.backend,
    location: json(r.location),
  };
  if (r.app !== '') ls.app = r.app;
  if (r.file !== '') ls.file = r.file;
  const minTs = optionalNumber(r.min_ts);
  const maxTs = optionalNumber(r.max_ts);
  if (minTs !== undefined) ls.minTs = minTs;
  if (maxTs !== undefined) ls.maxTs = maxTs;
  if (r.active !== null) ls.active = Number(r.active) === 1;
  if (r.sensitive_fields !== null) ls.sensitiveFields = json(r.sensitive_fields);
  return ls;
}

function toDomain(r: RowDataPacket): Domain {
  return r.description === null ? { name: r.name } : { name: r.name, description: r.description };
}

function toMapping(r: RowDataPacket): GatewayMapping {
  const m: GatewayMapping = { fromDomain: r.from_domain, fromTraceId: r.from_trace_id, toDomain: r.to_domain, toTraceId: r.to_trace_id };
  const ts = optionalNumber(r.ts);
  if (ts !== undefined) m.ts = ts;
  return m;
}

export function createMysqlTopologyStore(pool: Pool, opts: MysqlTopologyStoreOptions = {}): TopologyStore {
  const prefix = checkTablePrefix(opts.tablePrefix ?? DEFAULT_TABLE_PREFIX, 'tablePrefix');
  const t = {
    domains: `\`${prefix}domains\``,
    logstores: `\`${prefix}logstores\``,
    apps: `\`${prefix}apps\``,
    appFiles: `\`${prefix}app_files\``,
    mappings: `\`${prefix}gateway_mappings\``,
  };
  const LOGSTORE_COLUMNS = 'id, domain, layout, env, app, `file`, backend, location, min_ts, max_ts, active, sensitive_fields';
  const MAPPING_COLUMNS = 'from_domain, from_trace_id, to_domain, to_trace_id, ts';
  const MAPPING_ORDER = 'ORDER BY from_domain, from_trace_id, to_domain, to_trace_id';

  const rows = async (sql: string, params: Param[] = []) => (await pool.execute<RowDataPacket[]>(sql, params))[0];
  const write = async (sql: string, params: Param[]) => (await pool.execute<ResultSetHeader>(sql, params))[0];

  // Our own errors pass through; driver and network errors get a stable code.
  async function guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw isLogfedError(err) ? err : toLogfedError(err, 'BACKEND_ERROR');
    }
  }

  async function getDomains(names: readonly string[]): Promise<Array<Domain | undefined>> {
    const wanted = [...new Set(names.filter(isName))];
    const found = new Map<string, Domain>();
    for (let i = 0; i < wanted.length; i += IN_CHUNK) {
      const { marks, params } = inList(wanted.slice(i, i + IN_CHUNK));
      for (const r of await rows(`SELECT name, description FROM ${t.domains} WHERE name IN (${marks})`, params)) {
        found.set(r.name, toDomain(r));
      }
    }
    return names.map((n) => {
      const d = found.get(n);
      return d && { ...d };
    });
  }

  /** Turns a foreign-key failure into the name of the domain that is missing. */
  async function missingDomain(err: unknown, sides: ReadonlyArray<[field: string, domain: string]>): Promise<unknown> {
    if (!isMissingParent(err)) return err;
    const present = await getDomains(sides.map(([, d]) => d));
    const missing = sides.find((_, i) => present[i] === undefined);
    return missing ? unknownDomain(missing[0], missing[1]) : err;
  }

  async function keyHolder(ls: Logstore): Promise<string | undefined> {
    const found = await rows(`SELECT id FROM ${t.logstores} WHERE domain = ? AND env = ? AND app = ? AND \`file\` = ?`, [
      ls.domain,
      ls.env,
      ls.app ?? '',
      ls.file ?? '',
    ]);
    return found[0]?.id;
  }

  async function logstoreWriteFailed(err: unknown, ls: Logstore): Promise<unknown> {
    if (isDuplicate(err)) {
      const holder = await keyHolder(ls);
      if (holder !== undefined && holder !== ls.id) return logstoreKeyConflict(ls, holder);
    }
    return missingDomain(err, [['logstore.domain', ls.domain]]);
  }

  async function upsertLogstore(input: Logstore): Promise<Logstore> {
    const ls = validateLogstore(input);
    const values: Param[] = [
      ls.domain,
      ls.layout,
      ls.env,
      ls.app ?? '',
      ls.file ?? '',
      ls.backend,
      JSON.stringify(ls.location),
      ls.minTs ?? null,
      ls.maxTs ?? null,
      ls.active === undefined ? null : Number(ls.active),
      ls.sensitiveFields === undefined ? null : JSON.stringify(ls.sensitiveFields),
    ];
    // Not INSERT ... ON DUPLICATE KEY UPDATE: with two unique keys it would overwrite the
    // logstore that already holds the (domain, env, app, file) key instead of refusing.
    try {
      await write(`INSERT INTO ${t.logstores} (${LOGSTORE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [ls.id, ...values]);
      return structuredClone(ls);
    } catch (err) {
      const failure = await logstoreWriteFailed(err, ls);
      if (!isDuplicate(failure)) throw failure;
    }
    // The id exists already: replace it in place.
    try {
      await write(
        `UPDATE ${t.logstores} SET domain = ?, layout = ?, env = ?, app = ?, \`file\` = ?, backend = ?, location = ?,
           min_ts = ?, max_ts = ?, active = ?, sensitive_fields = ? WHERE id = ?`,
        [...values, ls.id],
      );
    } catch (err) {
      throw await logstoreWriteFailed(err, ls);
    }
    return structuredClone(ls);
  }

  async function listLogstores(filter: { domains?: readonly string[] } = {}): Promise<Logstore[]> {
    const select = `SELECT ${LOGSTORE_COLUMNS} FROM ${t.logstores}`;
    const order = 'ORDER BY domain, env, app, `file`';
    if (!filter.domains) return (await rows(`${select} ${order}`)).map(toLogstore);
    // Sorted chunks of domains give results that are already in order when concatenated.
    const wanted = [...new Set(filter.domains.filter(isName))].sort();
    const out: Logstore[] = [];
    for (let i = 0; i < wanted.length; i += IN_CHUNK) {
      const { marks, params } = inList(wanted.slice(i, i + IN_CHUNK));
      out.push(...(await rows(`${select} WHERE domain IN (${marks}) ${order}`, params)).map(toLogstore));
    }
    return out;
  }

  async function listApps(domain: string): Promise<App[]> {
    if (!isName(domain)) return [];
    const found = await rows(
      `SELECT a.name, f.\`file\` FROM ${t.apps} a LEFT JOIN ${t.appFiles} f ON f.domain = a.domain AND f.app = a.name
       WHERE a.domain = ? ORDER BY a.name, f.\`file\``,
      [domain],
    );
    const apps: App[] = [];
    for (const r of found) {
      if (apps.at(-1)?.name !== r.name) apps.push({ domain, name: r.name, files: [] });
      if (r.file !== null) apps[apps.length - 1].files.push(r.file);
    }
    return apps;
  }

  async function addAppFiles(domain: string, appName: string, files: readonly string[]): Promise<void> {
    const app = validateAppFiles(domain, appName, files);
    try {
      // Not INSERT IGNORE: it would also swallow the foreign-key error of an unknown domain.
      await write(`INSERT INTO ${t.apps} (domain, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = name`, [app.domain, app.name]);
    } catch (err) {
      throw await missingDomain(err, [['app.domain', app.domain]]);
    }
    for (let i = 0; i < app.files.length; i += IN_CHUNK) {
      const chunk = app.files.slice(i, i + IN_CHUNK);
      await write(
        `INSERT INTO ${t.appFiles} (domain, app, \`file\`) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
         ON DUPLICATE KEY UPDATE \`file\` = \`file\``,
        chunk.flatMap((f) => [app.domain, app.name, f]),
      );
    }
  }

  async function addGatewayMapping(input: GatewayMapping): Promise<void> {
    const m = validateGatewayMapping(input);
    try {
      // Re-adding keeps the first mapping; it only learns a time it did not have.
      await write(
        `INSERT INTO ${t.mappings} (${MAPPING_COLUMNS}) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE ts = COALESCE(ts, VALUES(ts))`,
        [m.fromDomain, m.fromTraceId, m.toDomain, m.toTraceId, m.ts ?? null],
      );
    } catch (err) {
      throw await missingDomain(err, [
        ['gatewayMapping.fromDomain', m.fromDomain],
        ['gatewayMapping.toDomain', m.toDomain],
      ]);
    }
  }

  return {
    listDomains: () => guard(async () => (await rows(`SELECT name, description FROM ${t.domains} ORDER BY name`)).map(toDomain)),
    getDomains: (names) => guard(() => getDomains(names)),
    upsertDomain: (input) =>
      guard(async () => {
        const d = validateDomain(input);
        // Not REPLACE: it deletes the row first, and the delete would cascade to the domain's logstores.
        await write(`INSERT INTO ${t.domains} (name, description) VALUES (?, ?) ON DUPLICATE KEY UPDATE description = VALUES(description)`, [
          d.name,
          d.description ?? null,
        ]);
        return { ...d };
      }),
    // Logstores, apps, files and mappings go with it through ON DELETE CASCADE.
    deleteDomain: (name) => guard(async () => isName(name) && (await write(`DELETE FROM ${t.domains} WHERE name = ?`, [name])).affectedRows > 0),

    listLogstores: (filter) => guard(() => listLogstores(filter)),
    getLogstore: (id) =>
      guard(async () => {
        if (!isLogstoreId(id)) return undefined;
        const found = await rows(`SELECT ${LOGSTORE_COLUMNS} FROM ${t.logstores} WHERE id = ?`, [id]);
        return found[0] && toLogstore(found[0]);
      }),
    upsertLogstore: (ls) => guard(() => upsertLogstore(ls)),
    deleteLogstore: (id) => guard(async () => isLogstoreId(id) && (await write(`DELETE FROM ${t.logstores} WHERE id = ?`, [id])).affectedRows > 0),

    listApps: (domain) => guard(() => listApps(domain)),
    addAppFiles: (domain, app, files) => guard(() => addAppFiles(domain, app, files)),

    addGatewayMapping: (m) => guard(() => addGatewayMapping(m)),
    deleteGatewayMapping: (m) =>
      guard(async () => {
        if (!isName(m.fromDomain) || !isTraceId(m.fromTraceId) || !isName(m.toDomain) || !isTraceId(m.toTraceId)) return false;
        const result = await write(`DELETE FROM ${t.mappings} WHERE from_trace_id = ? AND from_domain = ? AND to_trace_id = ? AND to_domain = ?`, [
          m.fromTraceId,
          m.fromDomain,
          m.toTraceId,
          m.toDomain,
        ]);
        return result.affectedRows > 0;
      }),
    gatewayMappingsFor: (domain, traceId) =>
      guard(async () => {
        if (!isName(domain) || !isTraceId(traceId)) return [];
        const found = await rows(
          `SELECT ${MAPPING_COLUMNS} FROM ${t.mappings} WHERE from_trace_id = ? AND from_domain = ?
           UNION SELECT ${MAPPING_COLUMNS} FROM ${t.mappings} WHERE to_trace_id = ? AND to_domain = ? ${MAPPING_ORDER}`,
          [traceId, domain, traceId, domain],
        );
        return found.map(toMapping);
      }),
    gatewayMappingsByTrace: (traceId) =>
      guard(async () => {
        if (!isTraceId(traceId)) return [];
        const found = await rows(
          `SELECT ${MAPPING_COLUMNS} FROM ${t.mappings} WHERE from_trace_id = ?
           UNION SELECT ${MAPPING_COLUMNS} FROM ${t.mappings} WHERE to_trace_id = ? ${MAPPING_ORDER}`,
          [traceId, traceId],
        );
        return found.map(toMapping);
      }),

    // The pool belongs to whoever created it and may serve other stores too.
    async close() {},
  };
}
