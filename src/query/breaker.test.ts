import { describe, expect, it } from 'vitest';
import { BreakerRegistry } from './breaker.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('BreakerRegistry', () => {
  it('opens after N consecutive failures, and a success in between resets the count', () => {
    const c = clock();
    const b = new BreakerRegistry({ failures: 3, coolDownMs: 1000, now: c.now });
    b.failure('s');
    b.failure('s');
    b.success('s');
    b.failure('s');
    b.failure('s');
    expect(b.admit('s')).toBe('allow');
    b.failure('s');
    expect(b.state('s')).toBe('open');
    expect(b.admit('s')).toBe('reject');
    expect(b.admit('other')).toBe('allow');
  });

  it('lets one probe through after the cool-down; its success closes the circuit', () => {
    const c = clock();
    const b = new BreakerRegistry({ failures: 1, coolDownMs: 1000, now: c.now });
    b.failure('s');
    c.advance(999);
    expect(b.admit('s')).toBe('reject');
    c.advance(1);
    expect(b.admit('s')).toBe('probe');
    expect(b.admit('s')).toBe('reject');
    b.success('s');
    expect(b.state('s')).toBe('closed');
    expect(b.admit('s')).toBe('allow');
  });

  it('a failed probe opens the circuit for another cool-down; a released one may probe again', () => {
    const c = clock();
    const b = new BreakerRegistry({ failures: 2, coolDownMs: 100, now: c.now });
    b.failure('s');
    b.failure('s');
    c.advance(100);
    expect(b.admit('s')).toBe('probe');
    b.release('s');
    expect(b.admit('s')).toBe('probe');
    b.failure('s');
    expect(b.admit('s')).toBe('reject');
    c.advance(100);
    expect(b.admit('s')).toBe('probe');
  });

  it('checks its options by name', () => {
    expect(() => new BreakerRegistry({ failures: 0, coolDownMs: 1 })).toThrow(/failures/);
  });
});
