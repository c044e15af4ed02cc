// Property-based fuzzing of raw bus records through the compute pipeline the demo runs (its rules
// in examples/rules) and on to a scoped live-tail subscriber: well-formed logback lines with
// sensitive values, broken lines, random bytes, JSON and odd headers. The pipeline never throws
// and accounts for every record (events or dead letters with a reason); no phone or e-mail it
// was given leaves it unmasked; the tail egress passes exactly the events in the caller's scope
// and masks the fields their logstore marks sensitive. Fixed seed, bounded runs.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSensitiveIndex, liveEgress } from '../../src/auth/egress.js';
import { createReadMasker } from '../../src/auth/mask.js';
import { compileScope } from '../../src/auth/scope.js';
import { compilePipeline, type Pipeline } from '../../src/compute/pipeline.js';
import { loadRules } from '../../src/compute/rules/index.js';
import type { RawRecord } from '../../src/compute/stages/types.js';
import type { LogEvent } from '../../src/core/event.js';
import { createMemoryTopologyStore } from '../../src/topology/memory-store.js';

const SEED = 20261122;
const NOW = Date.parse('2026-11-21T08:00:00Z');
let pipeline: Pipeline;

beforeAll(async () => {
  const { rules, rejected } = loadRules(readFileSync(new URL('../../examples/rules/demo.yaml', import.meta.url), 'utf8'), 'yaml');
  expect(rejected).toEqual([]);
  pipeline = compilePipeline(rules, { maskSecret: 'fuzz-mask-secret-0123456789' });
  await pipeline.start();
});
afterAll(() => pipeline?.close());

// A mainland mobile number and an e-mail: what the demo's mask rule must never let through.
const phone = fc.integer({ min: 0, max: 99_999_999 }).map((n) => `138${String(n).padStart(8, '0')}`);
const email = fc.tuple(fc.stringMatching(/^[a-z]{3,8}$/), fc.stringMatching(/^[a-z]{3,8}$/)).map(([u, d]) => `${u}@${d}.com`);
const words = fc.array(fc.oneof(fc.stringMatching(/^[A-Za-z0-9=:/._-]{1,12}$/), fc.constantFrom('GET', 'order', 'user=7', '{"a":1}', '\t', '"')), { maxLength: 8 }).map((w) => w.join(' '));
const level = fc.constantFrom('INFO', 'WARN', 'ERROR', 'DEBUG', 'TRACE', 'BOGUS', '');
const logback = fc
  .record({ at: fc.integer({ min: -3600_000, max: 3600_000 }), level, words, secret: fc.oneof(phone, email), thread: fc.stringMatching(/^[a-z0-9-]{0,12}$/) })
  .map(({ at, level, words, secret, thread }) => ({
    secret,
    text: `${new Date(NOW + at).toISOString().replace('T', ' ').replace('Z', '')} ${level.padStart(5)} 4242 --- [${thread}] [7f3a9c2e1b4d5a60] c.e.shop.Cart-42 : ${words} contact ${secret} ${words}`,
  }));
const garbage = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => ({ secret: undefined, text: Buffer.from(b) })),
  fc.string({ maxLength: 300 }).map((s) => ({ secret: undefined, text: s })),
  fc.constantFrom(' --- [', '--- [ ---', '{"message": "x"}', '\u0000\u0000', ' --- ['.repeat(500)).map((s) => ({ secret: undefined, text: s })),
);
const headerText = fc.oneof(fc.constantFrom('shop', 'pay', 'crm', 'cart-service', 'order-service', 'pay-core', 'prod', 'app.log', ''), fc.string({ maxLength: 10 }));
const headers = fc.record(
  {
    domain: fc.oneof(fc.constantFrom('shop', 'shop', 'pay'), headerText),
    env: fc.constantFrom('prod', 'pre'),
    app: fc.oneof(fc.constantFrom('cart-service', 'cart-api', 'order-service'), headerText),
    file: fc.constantFrom('app.log', 'error.log'),
    host: fc.oneof(headerText, headerText.map((h) => Buffer.from(h)), fc.array(headerText, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const record = fc.record({ body: fc.oneof({ arbitrary: logback, weight: 3 }, { arbitrary: garbage, weight: 1 }), headers, partition: fc.integer({ min: 0, max: 2 }) });

describe('fuzzing bus records through the compute pipeline and the tail egress', () => {
  it('never throws, accounts for every record, masks what it must, and passes only in-scope events', async () => {
    const topology = createMemoryTopologyStore();
    await topology.upsertDomain({ name: 'shop' });
    await topology.upsertLogstore({ id: 'shop-prod', domain: 'shop', layout: 'env', env: 'prod', backend: 'b', location: {}, sensitiveFields: ['thread'] });
    const index = createSensitiveIndex(topology);
    await index.ready();
    const scope = compileScope({ domains: ['shop', 'crm'], apps: { shop: ['cart-*'] } });
    const egress = liveEgress(scope, index, createReadMasker('egress-secret-0123456789'));
    let events = 0;
    let passed = 0;
    let masked = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 8 }), async (batch) => {
        const out: LogEvent[] = [];
        let deadLetters = 0;
        for (const [i, r] of batch.entries()) {
          const raw: RawRecord = { value: Buffer.isBuffer(r.body.text) ? r.body.text : Buffer.from(r.body.text), headers: r.headers, topic: 'logs', partition: r.partition, offset: i };
          const res = pipeline.process(raw, NOW + i);
          out.push(...res.events);
          deadLetters += res.deadLetters.length;
          for (const d of res.deadLetters) expect(d.reason.length).toBeGreaterThan(0);
        }
        const flushed = pipeline.flush(NOW + 60_000);
        out.push(...flushed.events);
        deadLetters += flushed.deadLetters.length;
        // Every record is an event, part of one (a continuation line), or a dead letter.
        expect(out.length + deadLetters).toBeLessThanOrEqual(batch.length);
        expect(out.length + deadLetters).toBeGreaterThan(0);

        const secrets = batch.flatMap((r) => (r.body.secret ? [r.body.secret] : []));
        for (const e of out) {
          events++;
          expect(Number.isFinite(e.ts)).toBe(true);
          for (const s of ['domain', 'env', 'app', 'file', 'message'] as const) expect(typeof e[s]).toBe('string');
          const text = JSON.stringify(e);
          for (const s of secrets) expect(text).not.toContain(s);

          const sent = egress(e);
          const inScope = scope.app(e.domain, e.app);
          expect(sent !== undefined).toBe(inScope);
          if (sent) {
            passed++;
            if (e.domain === 'shop' && e.env === 'prod' && typeof e.fields?.thread === 'string' && e.fields.thread !== '') {
              expect(sent.fields?.thread).toMatch(/^<field:[0-9a-f]+>$/);
              masked++;
            }
          }
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    // The properties were exercised, not vacuously true.
    expect(events).toBeGreaterThan(100);
    expect(passed).toBeGreaterThan(10);
    expect(masked).toBeGreaterThan(5);
  }, 60_000);
});
