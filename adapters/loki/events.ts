// Turns a Loki line into a LogEvent: the line is the message, the labels the location names
// carry app, file, level, host and trace id, and the logstore fills in what no label gives.

import { normaliseLevel, type LogEvent } from '../../src/core/event.js';
import type { Target } from '../../src/query/types.js';
import type { ParsedLokiLocation } from './config.js';
import type { Entry } from './response.js';

export function toEvent(e: Entry, target: Target, loc: ParsedLokiLocation): LogEvent {
  const label = (name: string | undefined) => (name ? e.labels[name] || undefined : undefined);
  const level = normaliseLevel(label(loc.labels.level));
  const host = label(loc.labels.host);
  const traceId = label(loc.labels.traceId);
  return {
    ts: Number(e.ns / 1_000_000n),
    domain: target.domain,
    env: target.env,
    app: label(loc.labels.app) ?? target.logstore.app ?? '',
    file: label(loc.labels.file) ?? target.logstore.file ?? '',
    ...(host ? { host } : {}),
    ...(level ? { level } : {}),
    ...(traceId ? { traceId } : {}),
    message: e.line,
  };
}
