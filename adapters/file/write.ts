// Formats events as the log lines the file adapter reads (logback layout, JSON lines), so tests,
// benchmarks and demo data write files exactly as the applications of a domain would.

import type { LogEvent } from '../../src/core/event.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `yyyy-MM-dd HH:mm:ss.SSS` in UTC. */
export function formatLogbackTs(ts: number): string {
  const d = new Date(ts);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** One event in the logback layout, stack trace lines included, ending with a newline. */
export function logbackLine(e: LogEvent, thread = 'http-nio-8080-exec-1', logger = `c.e.${e.app || 'app'}.Service-88`): string {
  return `${formatLogbackTs(e.ts)} ${(e.level ?? 'INFO').padStart(5)} 4242 --- [${thread}] [${e.traceId ?? ''}] ${logger} : ${e.message}\n`;
}

/** One event as a JSON line; the message's line breaks are escaped, so it stays one line. */
export function jsonLine(e: LogEvent): string {
  return `${JSON.stringify({
    '@timestamp': new Date(e.ts).toISOString(),
    level: e.level,
    ...(e.traceId ? { traceId: e.traceId } : {}),
    ...(e.host ? { host: e.host } : {}),
    message: e.message,
    thread: 'main',
  })}\n`;
}
