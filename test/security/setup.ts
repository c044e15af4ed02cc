// A gateway for the security tests: the demo (shop, pay) plus a `crm` domain read from a JSON-lines
// file whose logstore marks `phone` sensitive, with auth configured (no anonymous access) and one
// API key per kind of caller. Helpers speak to it over HTTP and graphql-ws with a given key.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { generateKey } from '../../src/auth/keys.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

export const PHONE = '13812345678';
export const JWT_SECRET = 'security-test-secret-0123456789abcdef';

/** Who calls: each gets a key with this role and scope. */
export const CALLERS = {
  /** All of shop, nothing else; a reader. */
  shopReader: { role: 'reader', scope: { domains: ['shop'] } },
  /** Only shop's cart-* apps. */
  cartReader: { role: 'reader', scope: { domains: ['sh*'], apps: { shop: ['cart-*'] } } },
  payReader: { role: 'reader', scope: { domains: ['pay'] } },
  crmReader: { role: 'reader', scope: { domains: ['crm'] } },
  shopAdmin: { role: 'admin', scope: { domains: ['shop'] } },
  admin: { role: 'admin', scope: { domains: ['*'] } },
} as const;
export type Caller = keyof typeof CALLERS;

export interface SecuredGateway extends TestGateway {
  keys: Record<Caller, string>;
  fixtures: string;
  /** Epoch ms of the crm fixture's events. */
  crmTs: number;
  as(caller: Caller | undefined, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  ws(caller: Caller | undefined | { authorization: string }, opts?: { retry?: boolean }): Client & { closed: Promise<{ code: number; reason: string }> };
}

export async function startSecuredGateway(extra: (raw: Record<string, any>) => Record<string, any> = (c) => c): Promise<SecuredGateway> {
  const fixtures = mkdtempSync(join(tmpdir(), 'logfed-security-'));
  mkdirSync(join(fixtures, 'crm'), { recursive: true });
  const crmTs = Date.now() - 60_000;
  const lines = [
    { ts: new Date(crmTs).toISOString(), level: 'INFO', message: `customer called from phone=${PHONE} about order ORD1`, phone: PHONE, traceId: 'crm-trace-1', customer: 'c-1' },
    { ts: new Date(crmTs + 1).toISOString(), level: 'WARN', message: `callback to ${PHONE} failed`, phone: PHONE, traceId: 'crm-trace-1' },
    { ts: new Date(crmTs + 2).toISOString(), level: 'INFO', message: `${'a'.repeat(5000)}!`, traceId: 'crm-trace-2' },
  ];
  writeFileSync(join(fixtures, 'crm', 'app.log'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');

  const made = Object.fromEntries(Object.keys(CALLERS).map((c, i) => [c, generateKey(`sec${String(i).padStart(4, '0')}`)])) as Record<Caller, ReturnType<typeof generateKey>>;
  const keys = Object.entries(CALLERS).map(([name, c]) => ({ id: made[name as Caller].id, hash: made[name as Caller].hash, user: name, role: c.role, scope: c.scope }));

  const gw = await startTestGateway((raw) =>
    extra({
      ...raw,
      auth: { anonymous: { enabled: false }, keys, jwt: { secret: JWT_SECRET, issuer: 'https://idp.test', audience: 'logfed' }, maskSecret: 'security-test-mask-secret' },
      backends: { ...raw.backends, fixtures: { kind: 'file', root: fixtures } },
      topology: {
        ...raw.topology,
        domains: [...raw.topology.domains, { name: 'crm', description: 'customer calls' }],
        logstores: [
          ...raw.topology.logstores,
          { id: 'crm-prod', domain: 'crm', layout: 'app', env: 'prod', app: 'crm-api', backend: 'fixtures', location: { path: 'crm/{file}', format: 'json' }, sensitiveFields: ['phone'] },
        ],
      },
    }),
  );
  const bearer = (c: Caller | undefined): Record<string, string> => (c ? { authorization: `Bearer ${made[c].key}` } : {});
  return {
    ...gw,
    keys: Object.fromEntries(Object.entries(made).map(([k, v]) => [k, v.key])) as Record<Caller, string>,
    fixtures,
    crmTs,
    async as(caller, query, variables) {
      const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(caller) }, body: JSON.stringify({ query, variables }) });
      return { status: res.status, body: await res.json() };
    },
    ws(caller, opts = {}) {
      let onClosed!: (e: { code: number; reason: string }) => void;
      const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
      const params = typeof caller === 'object' ? caller : bearer(caller);
      const client = createClient({
        url: gw.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: opts.retry ? 5 : 0,
        lazy: false,
        connectionParams: params,
        on: { closed: (e) => onClosed({ code: (e as { code: number }).code, reason: String((e as { reason: unknown }).reason) }) },
        onNonLazyError: () => undefined,
      });
      return Object.assign(client, { closed });
    },
  };
}

/** One operation over graphql-ws: every payload it sent, or the errors it ended with. */
/** `take`: how many payloads to wait for, or a test that says the payloads so far are enough. */
export function wsRun(client: Client, query: string, variables?: Record<string, unknown>, take: number | ((data: any[]) => boolean) = Infinity): Promise<{ data: any[]; errors?: any[] }> {
  const enough = typeof take === 'number' ? (data: any[]) => data.length >= take : take;
  return new Promise((resolve) => {
    const data: any[] = [];
    const dispose = client.subscribe(
      { query, variables },
      {
        next: (msg) => {
          if (msg.errors) {
            dispose();
            resolve({ data, errors: msg.errors as any[] });
            return;
          }
          data.push(msg.data);
          if (enough(data)) {
            dispose();
            resolve({ data });
          }
        },
        error: (err) => resolve({ data, errors: Array.isArray(err) ? err : [err] }),
        complete: () => resolve({ data }),
      },
    );
  });
}

export const codeOf = (errors: any[] | undefined) => errors?.[0]?.extensions?.code;
