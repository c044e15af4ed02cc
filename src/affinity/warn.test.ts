import { expect, it } from 'vitest';
import { warnThrottled } from './warn.js';

it('logs each kind of warning at most once per ten seconds', () => {
  expect(warnThrottled({}, 'store down', 1_000_000)).toBe(true);
  expect(warnThrottled({}, 'store down', 1_009_999)).toBe(false);
  expect(warnThrottled({}, 'writes dropped', 1_009_999)).toBe(true);
  expect(warnThrottled({}, 'store down', 1_010_000)).toBe(true);
});
