// A finding as an alert record, in the shape the alert stage emits (src/compute/alerts), so
// the alert pipeline can route, notify and keep scanner findings like any other alert.

import { createHash } from 'node:crypto';
import type { AlertEvent } from '../compute/alerts/index.js';
import type { ExceptionFinding } from './types.js';

export const SCANNER_RULE_ID = 'exception-scan';

const perWindow = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);

export function findingMessage(f: ExceptionFinding): string {
  const where = `${f.domain}/${f.app}`;
  const span = perWindow(f.windowEnd - f.windowStart);
  return f.kind === 'new'
    ? `new exception in ${where}: ${f.type} (${f.count} in ${span})`
    : `exception surge in ${where}: ${f.type}, ${f.count} in ${span} against ${f.baseline.toFixed(1)} per ${span} before`;
}

export function findingToAlert(f: ExceptionFinding): AlertEvent {
  const key = { domain: f.domain, app: f.app, fingerprint: f.fingerprint };
  return {
    ruleId: SCANNER_RULE_ID,
    // The alert's identity: the rule, the kind and what it is about, not the window it fired in.
    fingerprint: createHash('sha256').update(`${SCANNER_RULE_ID}\u0000${f.kind}\u0000${f.domain}\u0000${f.app}\u0000${f.fingerprint}`).digest('hex').slice(0, 16),
    state: 'firing',
    notify: true,
    labels: { ...key, kind: f.kind.toUpperCase(), exception: f.type },
    message: findingMessage(f),
    activeSince: f.windowStart,
    at: f.windowEnd,
    evaluatedAt: f.at,
    metric: {
      ruleId: SCANNER_RULE_ID,
      windowStart: f.windowStart,
      windowEnd: f.windowEnd,
      label: f.windowEnd,
      key,
      values: { count: f.count, baseline: f.baseline },
    },
  };
}
