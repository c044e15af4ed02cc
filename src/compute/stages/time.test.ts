import { describe, expect, it } from 'vitest';
import { alignMs, formatTime, resolveTimeZone, toEpochMs, UTC } from './time.js';

const shanghai = resolveTimeZone('Asia/Shanghai')!;
const plus8 = resolveTimeZone('+08:00')!;
const at = (iso: string) => Date.parse(iso);

describe('toEpochMs', () => {
  // input, zone for zone-less input, expected instant
  const golden: [unknown, typeof UTC, string | undefined][] = [
    // epoch numbers by magnitude: s, ms, then µs
    [1795227302, UTC, '2026-11-21T02:15:02.000Z'],
    [1795227302123, UTC, '2026-11-21T02:15:02.123Z'],
    ['1795227302', UTC, '2026-11-21T02:15:02.000Z'],
    ['1795227302123', UTC, '2026-11-21T02:15:02.123Z'],
    ['1795227302.5', UTC, '2026-11-21T02:15:02.500Z'],
    [1795227302123456, UTC, '2026-11-21T02:15:02.123Z'],
    ['2026-11-21 10:15:02', UTC, '2026-11-21T10:15:02.000Z'],
    ['2026-11-21 10:15:02', plus8, '2026-11-21T02:15:02.000Z'],
    ['2026-11-21 10:15:02.123', shanghai, '2026-11-21T02:15:02.123Z'],
    ['2026-11-21 10:15:02,123', UTC, '2026-11-21T10:15:02.123Z'],
    ['2026-11-21T10:15:02.123456Z', plus8, '2026-11-21T10:15:02.123Z'],
    ['2026-11-21T10:15:02+08:00', UTC, '2026-11-21T02:15:02.000Z'],
    ['2026-11-21T10:15:02-0500', UTC, '2026-11-21T15:15:02.000Z'],
    ['2026/11/21 10:15:02', UTC, '2026-11-21T10:15:02.000Z'],
    ['2026-11-21', plus8, '2026-11-20T16:00:00.000Z'],
    ['20261121101502', UTC, '2026-11-21T10:15:02.000Z'],
    ['20261121101502123', UTC, '2026-11-21T10:15:02.123Z'],
    ['21/Nov/2026:10:15:02 +0800', UTC, '2026-11-21T02:15:02.000Z'],
    ['Sat, 21 Nov 2026 10:15:02 GMT', plus8, '2026-11-21T10:15:02.000Z'],
    ['2026-02-30 10:00:00', UTC, undefined],
    ['2026-13-01 10:00:00', UTC, undefined],
    ['Nov 21 10:15:02', UTC, undefined],
    ['yesterday', UTC, undefined],
    ['', UTC, undefined],
    [null, UTC, undefined],
    [{ ts: 1 }, UTC, undefined],
    [Number.NaN, UTC, undefined],
  ];
  it.each(golden)('%j read in %s', (input, zone, expected) => {
    const ms = toEpochMs(input, zone);
    expect(ms === undefined ? undefined : new Date(ms).toISOString()).toBe(expected);
  });
});

describe('formatTime', () => {
  const ms = at('2026-11-21T02:15:02.007Z');
  it.each([
    ['epochMs', UTC, ms],
    ['epochS', UTC, Math.floor(ms / 1000)],
    ['yyyy-MM-dd HH:mm:ss', UTC, '2026-11-21 02:15:02'],
    ['yyyy-MM-dd HH:mm:ss', shanghai, '2026-11-21 10:15:02'],
    ['yyyy-MM-dd HH:mm:ss.SSS', plus8, '2026-11-21 10:15:02.007'],
    ['iso', plus8, '2026-11-21T10:15:02.007+08:00'],
    ['iso', UTC, '2026-11-21T02:15:02.007Z'],
  ] as const)('%s in %s', (format, zone, expected) => {
    expect(formatTime(ms, format, zone)).toBe(expected);
  });
});

describe('alignMs', () => {
  it('floors to the minute, hour and local day', () => {
    const ms = at('2026-11-21T08:00:03.456Z');
    expect(new Date(alignMs(ms, 'minute')).toISOString()).toBe('2026-11-21T08:00:00.000Z');
    expect(new Date(alignMs(at('2026-11-21T08:59:59.999Z'), 'minute')).toISOString()).toBe('2026-11-21T08:59:00.000Z');
    expect(new Date(alignMs(ms, 'hour')).toISOString()).toBe('2026-11-21T08:00:00.000Z');
    expect(new Date(alignMs(ms, 'day', shanghai)).toISOString()).toBe('2026-11-20T16:00:00.000Z');
    expect(new Date(alignMs(ms, 'hour', resolveTimeZone('+05:30')!)).toISOString()).toBe('2026-11-21T07:30:00.000Z');
  });

  it('follows daylight saving in IANA zones', () => {
    const ny = resolveTimeZone('America/New_York')!;
    expect(ny.offsetAt(at('2026-07-01T12:00:00Z'))).toBe(-240);
    expect(ny.offsetAt(at('2026-12-01T12:00:00Z'))).toBe(-300);
    expect(new Date(toEpochMs('2026-07-01 08:00:00', ny)!).toISOString()).toBe('2026-07-01T12:00:00.000Z');
  });
});

describe('resolveTimeZone', () => {
  it.each(['UTC', 'Z', '+08:00', '-0530', 'Asia/Shanghai'])('knows %s', (name) => expect(resolveTimeZone(name)).toBeDefined());
  it.each(['Mars/Base', '+25:00', '8', ''])('refuses %j', (name) => expect(resolveTimeZone(name)).toBeUndefined());
});
