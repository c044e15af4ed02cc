import { describe, expect, it } from 'vitest';
import { inAnyRange, parseTimeRanges, secondOfDayOf, zoneClock, type TimeRange } from './time-range.js';

const sec = (hms: string) => {
  const [h, m, s] = hms.split(':').map(Number);
  return h! * 3600 + m! * 60 + (s ?? 0);
};
const ranges = (text: string) => parseTimeRanges(text) as TimeRange[];

describe('time ranges', () => {
  const night = ranges('20:00:00-23:59:59,00:00:00-08:00:00');

  it.each([
    ['19:59:59', false],
    ['20:00:00', true],
    ['23:59:59', true],
    ['00:00:00', true],
    ['08:00:00', true],
    ['08:00:01', false],
    ['12:00:00', false],
  ] as const)('night ranges hold %s: %s', (t, want) => expect(inAnyRange(sec(t), night)).toBe(want));

  it('lets one range cross midnight', () => {
    const r = ranges('22:00-06:00');
    expect(inAnyRange(sec('23:30:00'), r)).toBe(true);
    expect(inAnyRange(sec('05:59:59'), r)).toBe(true);
    expect(inAnyRange(sec('06:00:59'), r)).toBe(true);
    expect(inAnyRange(sec('06:01:00'), r)).toBe(false);
    expect(inAnyRange(sec('21:59:59'), r)).toBe(false);
  });

  it('covers the whole last hour or minute of an end given to that precision', () => {
    expect(ranges('9-17')).toEqual([{ start: sec('09:00:00'), end: sec('17:59:59') }]);
    expect(ranges('9:30-17:45')).toEqual([{ start: sec('09:30:00'), end: sec('17:45:59') }]);
    expect(ranges(' 9:30:15 - 9:30:20 ')).toEqual([{ start: sec('09:30:15'), end: sec('09:30:20') }]);
  });

  it.each([
    ['25:00-26:00', 'time range "25:00-26:00" at column 1: start hour 25 is out of 0..23'],
    ['08:00-08:61', 'time range "08:00-08:61" at column 1: end minute 61 is out of 0..59'],
    ['08:00-09:00,10:00', 'time range "10:00" at column 13 has no "-" between start and end'],
    ['08:00-09:00,,10-11', 'empty time range at column 13'],
    ['8am-9pm', 'time range "8am-9pm" at column 1: start "8am" is not a time of day (expected H, H:MM or H:MM:SS)'],
  ])('rejects %s', (text, error) => expect(parseTimeRanges(text)).toEqual({ error }));
});

describe('secondOfDayOf', () => {
  const utc = zoneClock('UTC');
  const shanghai = zoneClock('Asia/Shanghai');
  const newYork = zoneClock('America/New_York');
  const instant = Date.parse('2024-03-01T22:30:15Z');

  it('reads epoch milliseconds on the rule clock', () => {
    expect(secondOfDayOf(instant, utc)).toBe(sec('22:30:15'));
    expect(secondOfDayOf(instant, shanghai)).toBe(sec('06:30:15'));
    expect(secondOfDayOf(String(instant), shanghai)).toBe(sec('06:30:15'));
  });

  it('follows daylight saving time', () => {
    expect(secondOfDayOf(Date.parse('2024-01-15T13:00:00Z'), newYork)).toBe(sec('08:00:00'));
    expect(secondOfDayOf(Date.parse('2024-07-15T13:00:00Z'), newYork)).toBe(sec('09:00:00'));
  });

  it('takes wall-clock text as written and zoned text as an instant', () => {
    expect(secondOfDayOf('07:15', shanghai)).toBe(sec('07:15:00'));
    expect(secondOfDayOf('2024-03-01 07:15:30', shanghai)).toBe(sec('07:15:30'));
    expect(secondOfDayOf('2024-03-01T22:30:15Z', shanghai)).toBe(sec('06:30:15'));
    expect(secondOfDayOf('2024-03-01T22:30:15+08:00', utc)).toBe(sec('14:30:15'));
  });

  it('gives undefined for what is not a time', () => {
    for (const v of ['soon', '', undefined, null, Number.NaN, {}, '25:99']) expect(secondOfDayOf(v, utc)).toBeUndefined();
  });
});
