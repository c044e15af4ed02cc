import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { labelOf, PERIOD_MINUTES, periodToMs, windowStartOf, windowStartOfLabel, type Labelling } from './period.js';

const at = (hms: string) => Date.parse(`2024-03-01T${hms}Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);

function labelFor(hms: string, period: string, labelling: Labelling): string {
  const p = periodToMs(period);
  return iso(labelOf(windowStartOf(at(hms), p), p, labelling));
}

describe('window alignment and labels', () => {
  it.each([
    // [event time, period, labelling, expected label]
    ['08:00:03.000', '1m', 'backward', '08:01:00.000'],
    ['08:00:03.000', '1m', 'forward', '08:00:00.000'],
    // exactly on a boundary: the event opens the window that starts there
    ['08:00:00.000', '1m', 'backward', '08:01:00.000'],
    ['08:00:00.000', '1m', 'forward', '08:00:00.000'],
    ['07:59:59.999', '1m', 'backward', '08:00:00.000'],
    ['07:59:59.999', '1m', 'forward', '07:59:00.000'],
    // 3-minute windows close at :00, :03, :06 ...
    ['08:04:10.000', '3m', 'backward', '08:06:00.000'],
    ['08:04:10.000', '3m', 'forward', '08:03:00.000'],
    ['08:06:00.000', '3m', 'backward', '08:09:00.000'],
    ['08:05:59.999', '3m', 'backward', '08:06:00.000'],
    ['08:59:59.999', '3m', 'backward', '09:00:00.000'],
    ['08:14:59.000', '15m', 'backward', '08:15:00.000'],
    ['08:44:00.000', '30m', 'forward', '08:30:00.000'],
  ] as const)('%s with %s %s → %s', (t, period, labelling, want) => {
    expect(labelFor(t, period, labelling)).toBe(want);
  });

  it('aligns every period to the hour, whatever the time', () => {
    for (const m of PERIOD_MINUTES) {
      const p = m * 60_000;
      for (const t of [at('08:00:00'), at('13:37:42.5'), at('23:59:59.999')]) {
        const start = windowStartOf(t, p);
        expect(start).toBeLessThanOrEqual(t);
        expect(t - start).toBeLessThan(p);
        expect((start - Date.parse('2024-03-01T00:00:00Z')) % p).toBe(0);
      }
    }
  });

  it('aligns times before 1970 too', () => {
    expect(windowStartOf(-1, 60_000)).toBe(-60_000);
    expect(windowStartOf(-60_000, 60_000)).toBe(-60_000);
  });

  it('recovers the window from its label', () => {
    const p = periodToMs('5m');
    const start = windowStartOf(at('10:07:00'), p);
    for (const l of ['backward', 'forward'] as const) expect(windowStartOfLabel(labelOf(start, p, l), p, l)).toBe(start);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    [250, 250],
  ] as const)('%s → %d', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', '5 minutes', '1h 30m', 'm5'])('rejects %j with a reason', (text) => {
    expect(parseDuration(text)).toMatchObject({ error: expect.stringContaining('expected a duration') });
  });
});
