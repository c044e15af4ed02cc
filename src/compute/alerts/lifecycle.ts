// The life of one alert (one rule and metric key): inactive → pending → firing → resolved, with
// `for` (hold this long before firing), keep-firing (stay firing this long after the conditions
// stop) and a repeat interval for notifications. Durations are measured in metric time (row
// labels), so a replay decides exactly as the live run did; only repeats use wall time.

import type { AlertState } from './types.js';

export interface Timing {
  forMs: number;
  keepFiringForMs: number;
  repeatIntervalMs: number;
}

export interface Lifecycle {
  state: 'inactive' | 'pending' | 'firing';
  activeSince: number;
  lastAt: number;
  falseSince: number | undefined;
  lastNotifiedAt: number | undefined;
}

export const newLifecycle = (): Lifecycle => ({
  state: 'inactive',
  activeSince: Number.NaN,
  lastAt: Number.NEGATIVE_INFINITY,
  falseSince: undefined,
  lastNotifiedAt: undefined,
});

/** The record to emit after a step, or undefined when the alert is (or went back to) inactive. */
export interface Outcome {
  state: AlertState;
  notify: boolean;
}

/** Moves the alert by one evaluation at metric time `at` (wall time `now`). */
export function step(lc: Lifecycle, met: boolean, at: number, now: number, t: Timing): Outcome | undefined {
  lc.lastAt = at;
  if (met) {
    lc.falseSince = undefined;
    if (lc.state === 'inactive') {
      lc.state = 'pending';
      lc.activeSince = at;
    }
    if (lc.state === 'pending') {
      if (at - lc.activeSince < t.forMs) return { state: 'pending', notify: false };
      lc.state = 'firing';
      return notified(lc, now);
    }
    const due = lc.lastNotifiedAt === undefined || now - lc.lastNotifiedAt >= t.repeatIntervalMs;
    return due ? notified(lc, now) : { state: 'firing', notify: false };
  }
  if (lc.state === 'pending') {
    // A pending alert that stops holding never fired, so there is nothing to resolve.
    lc.state = 'inactive';
    return undefined;
  }
  if (lc.state === 'firing') {
    lc.falseSince ??= at;
    if (at - lc.falseSince < t.keepFiringForMs) return { state: 'firing', notify: false };
    lc.state = 'inactive';
    lc.falseSince = undefined;
    lc.lastNotifiedAt = undefined;
    return { state: 'resolved', notify: true };
  }
  return undefined;
}

function notified(lc: Lifecycle, now: number): Outcome {
  lc.lastNotifiedAt = now;
  return { state: 'firing', notify: true };
}
