import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../compute/alerts/index.js';
import type { LogEvent } from '../core/event.js';
import { createMemoryLedger } from './ledger.js';
import { createMemoryLock } from './lock.js';
import { createExceptionScanner, type ExceptionScannerOptions } from './scanner.js';
import { errorEvent as event, trace } from './testing.js';

const MIN = 60_000;
const WINDOW = 10 * MIN;
const T0 = Date.UTC(2026, 10, 21, 8, 0, 0); // a window boundary

function setup(over: Partial<ExceptionScannerOptions> = {}) {
  let now = T0;
  const alerts: AlertEvent[] = [];
  const scanner = createExceptionScanner({
    ledger: createMemoryLedger({ keepWindows: 10 }),
    lock: createMemoryLock(),
    clock: () => now,
    intervalMs: WINDOW,
    baselineWindows: 3,
    surgeFactor: 3,
    minCount: 10,
    graceMs: 30_000,
    onAlert: (a) => alerts.push(a),
    ...over,
  });
  return {
    scanner,
    alerts,
    /** Moves the clock to `minutes` after T0. */
    at(minutes: number) {
      now = T0 + minutes * MIN;
    },
    /** Observes `n` copies of an event at `minutes` after T0. */
    observe(minutes: number, n: number, e: LogEvent) {
      now = T0 + minutes * MIN;
      for (let i = 0; i < n; i++) scanner.observe(e);
    },
  };
}

/** Runs the first scan, which only learns what the ledger holds, just after the first window closed. */
async function warmUp(s: ReturnType<typeof setup>) {
  s.at(11);
  expect(await s.scanner.scan()).toMatchObject({ status: 'learned' });
}

describe('exception scanner', () => {
  it('learns on its first scan, then reports a never-seen exception of an app as NEW, once', async () => {
    const s = setup();
    s.observe(1, 4, event(trace('java.net.SocketTimeoutException')));
    await warmUp(s);
    expect(s.alerts).toStrictEqual([]);

    s.observe(12, 2, event(trace('java.sql.SQLTransactionRollbackException')));
    s.observe(13, 3, event(trace('java.net.SocketTimeoutException')));
    s.at(20);
    expect(await s.scanner.scan()).toStrictEqual({ status: 'idle' }); // the window has not closed yet
    s.at(21);
    const out = await s.scanner.scan();
    expect(out).toMatchObject({ status: 'scanned', windows: [(T0 + WINDOW) / WINDOW] });
    expect(out.status === 'scanned' && out.findings.map((f) => [f.kind, f.type, f.count])).toStrictEqual([
      ['new', 'java.sql.SQLTransactionRollbackException', 2],
    ]);
    expect(s.alerts).toHaveLength(1);
    expect(s.alerts[0]).toMatchObject({
      ruleId: 'exception-scan',
      state: 'firing',
      notify: true,
      labels: { domain: 'pay', app: 'core', kind: 'NEW', exception: 'java.sql.SQLTransactionRollbackException' },
      activeSince: T0 + WINDOW,
      at: T0 + 2 * WINDOW,
      metric: { values: { count: 2, baseline: 0 } },
    });
    expect(s.alerts[0]!.message).toBe('new exception in pay/core: java.sql.SQLTransactionRollbackException (2 in 10 min)');

    s.observe(25, 1, event(trace('java.sql.SQLTransactionRollbackException')));
    s.at(31);
    expect(await s.scanner.scan()).toMatchObject({ status: 'scanned', findings: [] });
    expect(await s.scanner.scan()).toStrictEqual({ status: 'idle' });
  });

  it('keeps apps apart: an exception known to one app is NEW for another', async () => {
    const s = setup();
    s.observe(1, 1, event(trace('java.lang.IllegalStateException')));
    await warmUp(s);
    s.observe(12, 1, event(trace('java.lang.IllegalStateException'), { app: 'gateway' }));
    s.observe(12, 1, event(trace('java.lang.IllegalStateException')));
    s.at(21);
    const out = await s.scanner.scan();
    expect(out.status === 'scanned' && out.findings.map((f) => [f.kind, f.app])).toStrictEqual([['new', 'gateway']]);
  });

  it('reports a SURGE at k times the baseline and the minimum count, and nothing short of either', async () => {
    const s = setup();
    const known = event(trace('java.net.SocketTimeoutException'));
    const quiet = event(trace('java.lang.NullPointerException', 'com.shop.pay.Audit.log'));
    s.observe(1, 1, known);
    s.observe(1, 1, quiet);
    await warmUp(s);
    // Baseline windows 1..3: 2, 4, 3 of `known` (mean 3), nothing of `quiet`.
    s.observe(12, 2, known);
    s.observe(22, 4, known);
    s.observe(32, 3, known);
    s.at(41);
    expect(await s.scanner.scan()).toMatchObject({ status: 'scanned', findings: [] });

    s.observe(42, 8, known); // below 3 x 3
    s.observe(43, 9, quiet); // 9 against a baseline of 0, but below the minimum of 10
    s.at(51);
    expect(await s.scanner.scan()).toMatchObject({ status: 'scanned', findings: [] });

    s.observe(52, 12, quiet); // baseline (0 + 0 + 9) / 3 = 3, 12 >= 9 and >= 10
    s.observe(53, 15, known); // baseline (4 + 3 + 8) / 3 = 5: exactly 3 x 5 is a surge
    s.at(61);
    const out = await s.scanner.scan();
    expect(out.status === 'scanned' && out.findings.map((f) => [f.kind, f.type, f.count, f.baseline])).toStrictEqual([
      ['surge', 'java.net.SocketTimeoutException', 15, 5],
      ['surge', 'java.lang.NullPointerException', 12, 3],
    ]);
    expect(s.alerts.map((a) => a.message)[0]).toBe(
      'exception surge in pay/core: java.net.SocketTimeoutException, 15 in 10 min against 5.0 per 10 min before',
    );
  });

  it('counts error lines without a trace by their pattern, and ignores other levels and plain multi-line text', async () => {
    const s = setup();
    s.observe(1, 1, event('warm'));
    await warmUp(s);
    s.observe(12, 2, event('order 17 could not be saved', { fields: { pattern: 'p00000000000001' } }));
    s.observe(12, 3, event('order 18 could not be saved', { level: 'fatal' }));
    s.observe(12, 1, event('order 19 could not be saved', { level: 'fatal' }));
    s.observe(12, 5, event('all fine', { level: 'INFO' }));
    s.observe(12, 5, event('line one\nline two', { level: 'INFO' }));
    s.at(21);
    const out = await s.scanner.scan();
    expect(out.status === 'scanned' && out.findings.map((f) => [f.fingerprint, f.type, f.count])).toStrictEqual([
      [expect.stringMatching(/^p[0-9a-f]{14}$/), 'order <*> could not be saved', 4],
      ['p00000000000001', 'order 17 could not be saved', 2],
    ]);
  });

  it('catches up on the windows it missed, at most a baseline’s worth', async () => {
    const s = setup();
    s.observe(1, 1, event('warm'));
    await warmUp(s);
    s.observe(12, 1, event(trace('java.io.IOException')));
    s.observe(75, 1, event(trace('java.io.EOFException')));
    s.at(91);
    const out = await s.scanner.scan();
    // Due is window 8 (80..90 min); three windows back from it are scanned: 6, 7, 8.
    expect(out).toMatchObject({ status: 'scanned', windows: [6, 7, 8].map((w) => T0 / WINDOW + w) });
    expect(out.status === 'scanned' && out.findings.map((f) => f.type)).toStrictEqual(['java.io.EOFException']);
    expect(await s.scanner.findings({ limit: 10 })).toHaveLength(1);
    expect(await s.scanner.findings({ app: 'other', limit: 10 })).toHaveLength(0);
    expect(await s.scanner.findings({ since: T0 + 90 * MIN, limit: 10 })).toHaveLength(0);
  });

  it('does not scan while another scan holds the lock', async () => {
    const lock = createMemoryLock();
    const s = setup({ lock });
    const held = await lock.acquire();
    s.at(11);
    expect(await s.scanner.scan()).toStrictEqual({ status: 'locked' });
    await held!.release();
    expect(await s.scanner.scan()).toMatchObject({ status: 'learned' });
  });

  it('refuses bad options, naming the field', () => {
    expect(() => setup({ intervalMs: 10 })).toThrow(/intervalMs.*got 10/);
    expect(() => setup({ surgeFactor: 0.5 })).toThrow(/surgeFactor/);
  });
});
