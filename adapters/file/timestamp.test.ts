import { describe, expect, it } from 'vitest';
import { compileTsFormat, compileZone } from './timestamp.js';

describe('timestamp patterns', () => {
  it.each([
    ['yyyy-MM-dd HH:mm:ss.SSS', '2026-11-21 10:15:02.123', '2026-11-21T10:15:02.123Z'],
    ['yyyy-MM-dd HH:mm:ss,SSS', '2026-11-21 10:15:02,123', '2026-11-21T10:15:02.123Z'],
    ["yyyy-MM-dd'T'HH:mm:ss.SSSSSS", '2026-11-21T10:15:02.123456', '2026-11-21T10:15:02.123Z'],
    ['dd/MM/yyyy HH:mm:ss', '21/11/2026 10:15:02', '2026-11-21T10:15:02.000Z'],
    ['yyyyMMddHHmmssS', '202611211015021', '2026-11-21T10:15:02.100Z'],
    ['iso8601', '2026-11-21T10:15:02.1+01:00', '2026-11-21T09:15:02.100Z'],
    ['iso8601', '2026-11-21 10:15:02Z', '2026-11-21T10:15:02.000Z'],
    ['epoch_ms', '1795255200123 rest', '2026-11-21T10:00:00.123Z'],
    ['epoch_s', '1795255200.5', '2026-11-21T10:00:00.500Z'],
  ])('%s reads %s', (format, text, iso) => {
    const p = compileTsFormat(format, 'UTC');
    expect(p.string(text)).toBe(Date.parse(iso));
    expect(p.bytes(Buffer.from(text), 0, text.length)).toBe(Date.parse(iso));
  });

  it('refuses text that does not fit the pattern', () => {
    const p = compileTsFormat('yyyy-MM-dd HH:mm:ss.SSS', 'UTC');
    for (const t of ['2026-11-21 10:15:02', '2026/11/21 10:15:02.123', '\tat x', '2026-11-21 25:00:00.000']) expect(p.string(t)).toBeUndefined();
  });

  it('explains what is wrong with a pattern', () => {
    expect(() => compileTsFormat('yy-MM-dd', 'UTC')).toThrow(/"yy" is not supported/);
    expect(() => compileTsFormat('yyyy-MM-ddTHH', 'UTC')).toThrow(/quote literals/);
    expect(() => compileTsFormat('HH:mm:ss', 'UTC')).toThrow(/no year/);
  });
});

describe('timezones', () => {
  const local = Date.UTC(2026, 6, 1, 12, 0, 0);
  it('applies fixed offsets and IANA zones, daylight saving included', () => {
    expect(compileZone('UTC')(local)).toBe(local);
    expect(compileZone('+08:00')(local)).toBe(local - 8 * 3600_000);
    expect(compileZone('-0530')(local)).toBe(local + 5.5 * 3600_000);
    expect(compileZone('Europe/Berlin')(local)).toBe(local - 2 * 3600_000);
    expect(compileZone('Europe/Berlin')(Date.UTC(2026, 0, 1, 12))).toBe(Date.UTC(2026, 0, 1, 11));
  });
  it('refuses unknown zones by name', () => {
    expect(() => compileZone('Mars/Olympus')).toThrow(/unknown timezone "Mars\/Olympus"/);
  });
});
