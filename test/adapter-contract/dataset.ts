// The fixed dataset of the adapter contract: a few hundred events of a small shop over three apps
// and two files, with equal timestamps, stack traces, shared trace ids and messages that hold the
// characters backends get wrong (%, _, backslash, quotes, brackets, " : ", CJK).

import type { LogEvent } from '../../src/core/event.js';

export const DOMAIN = 'shop';
export const ENV = 'prod';
export const APPS = ['cart', 'pay', 'ship'] as const;
export const FILES = ['app', 'error'] as const;
export const T0 = Date.UTC(2026, 10, 21, 10, 0, 0, 0);
export const DATASET_SIZE = 320;

/** Deterministic PRNG (mulberry32), so every run and every adapter sees the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const STACK =
  '\njava.net.SocketTimeoutException: Read timed out\n\tat com.example.pay.Client.call(Client.java:42)\n\tat com.example.cart.Checkout.run(Checkout.java:88)';

const TEMPLATES: Array<(n: number, r: () => number) => string> = [
  (n, r) => `order ${n} created by user_${Math.floor(r() * 9)}`,
  (n) => `Order ${n} paid: 100% captured`,
  (n) => `payment declined for order ${n}: insufficient funds`,
  (n, r) => `GET /api/cart/${n} 200 ${Math.floor(r() * 900)}ms`,
  (n, r) => `cache hit_ratio=0.${Math.floor(r() * 99)} for key cart:${n}`,
  (n) => `file C:\\data\\cart\\${n}.json not found`,
  (n) => `订单 ${n} 已创建`,
  (_, r) => `user "alice" logged in from 10.0.${Math.floor(r() * 9)}.${Math.floor(r() * 250)}`,
  (_, r) => `Timeout calling pay-service after ${1000 + Math.floor(r() * 4000)}ms${STACK}`,
  (n) => `retrying order ${n}\n2 retries left`,
  (n, r) => `stock reserved for order ${n} in warehouse WH-${Math.floor(r() * 5)}`,
  (n, r) => `shipment ${n} dispatched, tracking [${Math.floor(r() * 1e9).toString(16)}]`,
  (n) => `price: 12.50 : EUR for order ${n}`,
];

const LEVELS = ['TRACE', 'DEBUG', 'DEBUG', 'INFO', 'INFO', 'INFO', 'INFO', 'INFO', 'WARN', 'WARN', 'ERROR', 'ERROR'] as const;

function traceIds(r: () => number): string[] {
  return Array.from({ length: 24 }, () => Array.from({ length: 16 }, () => Math.floor(r() * 16).toString(16)).join(''));
}

/** Events in time order; about one in five shares its timestamp with the one before it. */
export function makeDataset(): LogEvent[] {
  const r = prng(20261121);
  const traces = traceIds(r);
  const out: LogEvent[] = [];
  let ts = T0;
  for (let i = 0; i < DATASET_SIZE; i++) {
    ts += pick(r, [0, 0, 1, 3, 7, 40, 120, 450, 999, 1000, 1500, 2600]);
    const level = pick(r, LEVELS);
    const app = pick(r, APPS);
    const file = level === 'WARN' || level === 'ERROR' ? (r() < 0.75 ? 'error' : 'app') : 'app';
    const message = pick(r, TEMPLATES)(1000 + Math.floor(r() * 40), r);
    const e: LogEvent = { ts, domain: DOMAIN, env: ENV, app, file, level, message };
    if (r() < 0.85) e.traceId = pick(r, traces);
    out.push(e);
  }
  return out;
}

/** Events logged after the dataset: later than all of it, several of them at the same instant. */
export function makeAppended(after: number, count = 12): LogEvent[] {
  const r = prng(7);
  return Array.from({ length: count }, (_, i) => ({
    ts: after + 1000 + Math.floor(i / 3) * 250,
    domain: DOMAIN,
    env: ENV,
    app: APPS[i % APPS.length]!,
    file: i % 4 === 0 ? 'error' : 'app',
    level: i % 4 === 0 ? 'ERROR' : 'INFO',
    traceId: 'a11ce0000000000' + (i % 10),
    message: `order ${2000 + i} created after restart ${Math.floor(r() * 100)}`,
  }));
}

/** The keyword, level, trace and regex filters every adapter is checked with. */
export function filterCases(traceId: string): Array<{ name: string; kw?: string; include?: string[]; exclude?: string[]; levels?: string[]; traceId?: string; regex?: string }> {
  return [
    { name: 'no filter' },
    { name: 'one keyword', kw: 'order' },
    { name: 'keywords are case-sensitive', kw: 'Order' },
    { name: 'all keywords must occur', kw: 'order 1001' },
    { name: 'a quoted phrase', kw: '"order 1001"' },
    { name: 'an excluded keyword', kw: 'order -created' },
    { name: 'an excluded phrase', kw: 'user_ -"user_3"' },
    { name: 'only excluded keywords', kw: '-cart -order' },
    { name: 'percent sign', kw: '100%' },
    { name: 'underscore', kw: 'hit_ratio' },
    { name: 'lone wildcard characters', include: ['%'], exclude: ['_'] },
    { name: 'backslashes', include: ['C:\\data\\cart'] },
    { name: 'double quotes', include: ['"alice"'] },
    { name: 'square brackets', include: ['tracking ['] },
    { name: 'a colon between spaces', include: [' : EUR'] },
    { name: 'CJK text', kw: '订单 已创建' },
    { name: 'a line of a stack trace', kw: 'Checkout.java:88' },
    { name: 'a continuation line that starts with a digit', kw: '"2 retries"' },
    { name: 'header text is not message text', kw: '---' },
    { name: 'a level word is not message text', kw: 'INFO' },
    { name: 'a keyword nothing holds', kw: 'no-such-term-anywhere' },
    { name: 'one level', levels: ['ERROR'] },
    { name: 'levels in any case', levels: ['warn', 'Error'] },
    { name: 'a trace id', traceId },
    { name: 'an unknown trace id', traceId: 'ffffffffffffffff' },
    { name: 'a regex', regex: 'order \\d+ (created|paid)' },
    { name: 'an anchored regex', regex: '^Timeout calling' },
    { name: 'a regex across lines', regex: 'timed out\\n\\tat com' },
    { name: 'a regex with a class', regex: 'WH-[0-2]$' },
    { name: 'keywords, levels and regex together', kw: 'order -paid', levels: ['INFO', 'WARN'], regex: '10[0-2]\\d' },
    { name: 'keywords and trace id together', kw: 'order', traceId },
  ];
}
