// Property-based fuzzing of `logs` through the real server, as a caller who may read only shop's
// cart-* apps: arbitrary LogQuery inputs (names in and out of scope, hostile keywords and
// regexes, odd ranges, page sizes and cursors) never crash the gateway, never answer an internal
// error, never leave a rejection unhandled, and never return an event outside the scope.
// Fixed seed and bounded runs, so a failure replays and CI stays fast.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecuredGateway, wsRun, type SecuredGateway } from '../security/setup.js';

const SEED = 20261121;
let gw: SecuredGateway;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  gw = await startSecuredGateway();
});
afterAll(async () => {
  await gw?.stop();
  process.off('unhandledRejection', onUnhandled);
});

const hostile = fc.constantFrom('', ' ', '*', 'sh*', 'SHOP', 'shop ', "'; DROP TABLE logfed_domains; --", '../../etc/passwd', '\u0000', 'a'.repeat(300), '${jndi:ldap://x}');
const domain = fc.oneof(fc.constantFrom('shop', 'pay', 'crm', 'nosuchdomain'), hostile, fc.string({ maxLength: 12 }));
const app = fc.oneof(fc.constantFrom('cart-service', 'order-service', 'user-service', 'pay-core', 'crm-api', 'cart-*'), hostile, fc.string({ maxLength: 12 }));
const regex = fc.oneof(
  fc.constantFrom('(a+)+$', '(a|aa)*b', '^(([a-z])+.)+[A-Z]([a-z])+$', '(a)\\1', '(?=x)x', '[', '\\', 'a{1001}', '(?i)error', '.*', 'x{2,1}'),
  fc.string({ maxLength: 24 }),
);
const instant = fc.oneof(
  fc.integer({ min: -3 * 86_400_000, max: 86_400_000 }).map((d) => Date.now() + d),
  fc.constantFrom(0, -1, 8.64e15, 'not-a-date', '2026-13-45T00:00:00Z', '1970-01-01T00:00:00Z'),
);

const logQuery = fc.record(
  {
    domains: fc.array(domain, { maxLength: 4 }),
    apps: fc.array(app, { maxLength: 4 }),
    envs: fc.array(fc.oneof(fc.constantFrom('prod', 'pre', 'daily'), hostile), { maxLength: 3 }),
    files: fc.array(fc.oneof(fc.constantFrom('app.log', 'error.log'), hostile), { maxLength: 2 }),
    keywords: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('"unbalanced', '-', '-"x"', '"a b" -"c"', 'x '.repeat(40), 'k'.repeat(600))),
    levels: fc.array(fc.constantFrom('INFO', 'warn', 'ERR', 'x', ''), { maxLength: 3 }),
    traceId: fc.string({ maxLength: 20 }),
    from: instant,
    to: instant,
    regex,
    order: fc.constantFrom('ASC', 'DESC'),
  },
  { requiredKeys: [] },
);
/** Queries a user would send, so that many answers hold events and the scope check bites. */
const plausible = fc.record(
  {
    domains: fc.constantFrom([], ['shop'], ['shop'], ['pay'], ['shop', 'crm']),
    apps: fc.constantFrom([], ['cart-service'], ['cart-service'], ['order-service'], ['cart-service', 'pay-core']),
    envs: fc.subarray(['prod', 'pre']),
    keywords: fc.constantFrom('GET', 'cart', '200', '-DEBUG', '"in 1'),
    levels: fc.subarray(['INFO', 'DEBUG', 'WARN', 'ERROR']),
    regex: fc.constantFrom('cart', '(a+)+$', '\\d+ms', '^[A-Z]'),
    order: fc.constantFrom('ASC', 'DESC'),
  },
  { requiredKeys: [] },
);
const page = fc.record({
  q: fc.oneof({ arbitrary: plausible, weight: 3 }, { arbitrary: logQuery, weight: 1 }),
  first: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 200 }), weight: 4 }, { arbitrary: fc.integer({ min: -5, max: 1200 }), weight: 1 }),
  // A forged cursor now and then; most pages start fresh.
  after: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 80 })), weight: 1 }),
  strategy: fc.constantFrom('ALL', 'AFFINITY'),
});

const LOGS = `query ($q: LogQuery!, $first: Int, $after: String, $strategy: SearchStrategy) {
  logs(query: $q, first: $first, after: $after, strategy: $strategy) { edges { node { domain app } } pageInfo { hasNextPage } }
}`;

const INTERNAL = new Set(['INTERNAL', 'INTERNAL_SERVER_ERROR']);

/** Answers that held events: the scope property is only tested where something came back. */
let withEvents = 0;

function checkAnswer(body: { data?: any; errors?: any[] }): void {
  if (body.data?.logs?.edges?.length) withEvents++;
  for (const e of body.errors ?? []) {
    expect(INTERNAL.has(e.extensions?.code), `internal error: ${e.message}`).toBe(false);
    expect(e.extensions?.code, `error without a code: ${e.message}`).toBeTypeOf('string');
  }
  for (const edge of body.data?.logs?.edges ?? []) {
    expect(edge.node.domain).toBe('shop');
    expect(edge.node.app).toMatch(/^cart-/);
  }
}

describe('fuzzing logs through the real server', () => {
  it('never crashes, never answers an internal error, never leaks outside the scope (HTTP)', async () => {
    await fc.assert(
      fc.asyncProperty(page, async (vars) => {
        const { status, body } = await gw.as('cartReader', LOGS, vars);
        expect([200, 400]).toContain(status);
        checkAnswer(body);
      }),
      { seed: SEED, numRuns: 120 },
    );
    expect(unhandled).toEqual([]);
    expect(withEvents).toBeGreaterThan(10);
    // The gateway still serves a plain query afterwards.
    const after = await gw.as('cartReader', LOGS, { q: {}, strategy: 'ALL' });
    expect(after.body.data.logs.edges.length).toBeGreaterThan(0);
  }, 120_000);

  it('holds over graphql-ws too', async () => {
    const client = gw.ws('cartReader');
    try {
      await fc.assert(
        fc.asyncProperty(page, async (vars) => {
          const res = await wsRun(client, LOGS, vars, 1);
          checkAnswer({ data: res.data[0], errors: res.errors });
        }),
        { seed: SEED + 1, numRuns: 40 },
      );
    } finally {
      await client.dispose();
    }
    expect(unhandled).toEqual([]);
  }, 120_000);
});
