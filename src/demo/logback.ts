// Formats demo events in the standard logback layout the file adapter parses:
// %d{yyyy-MM-dd HH:mm:ss.SSS} %5p %PID --- [%t] [%X{traceId}] %logger-%L : %m%n (UTC), and reads
// the shipped sample files back into events.

import { normaliseLevel, type LogEvent } from '../core/event.js';
import { parseLogback, startsLogbackEvent } from '../compute/stages/logback.js';
import { UTC } from '../compute/stages/time.js';
import { isRejected } from '../compute/stages/types.js';

export interface LogbackLine {
  ts: number;
  level: string;
  pid: number;
  thread: string;
  traceId?: string;
  logger: string;
  line: number;
  message: string;
}

export function formatTs(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 23);
}

export function formatLogback(l: LogbackLine): string {
  return `${formatTs(l.ts)} ${l.level.padStart(5)} ${l.pid} --- [${l.thread}] [${l.traceId ?? ''}] ${l.logger}-${l.line} : ${l.message}\n`;
}

const TS_PREFIX = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})/;

/** Shifts the timestamp that starts a line by `deltaMs`; continuation lines are returned as they are. */
export function shiftLine(line: string, deltaMs: number): string {
  const m = TS_PREFIX.exec(line);
  if (!m) return line;
  const ts = Date.parse(m[1]!.replace(' ', 'T') + 'Z');
  return formatTs(ts + deltaMs) + line.slice(m[1]!.length);
}

export function lineTs(line: string): number | undefined {
  const m = TS_PREFIX.exec(line);
  return m ? Date.parse(m[1]!.replace(' ', 'T') + 'Z') : undefined;
}

/**
 * The events of one demo file (`<domain>/<env>/<app>/<file>`): each line that starts with a
 * timestamp begins an event, the lines after it (a stack trace) belong to it.
 */
export function parseDemoFile(rel: string, text: string): LogEvent[] {
  const [domain, env, app, file] = rel.split(/[\\/]/);
  if (!domain || !env || !app || !file) return [];
  const events: LogEvent[] = [];
  const flush = (lines: string[]) => {
    const parsed = lines.length ? parseLogback(lines.join('\n'), UTC) : undefined;
    if (!parsed || isRejected(parsed)) return;
    const { ts, level, traceId, message } = parsed;
    events.push({ ts, domain, env, app, file, level: normaliseLevel(level), message, ...(traceId ? { traceId } : {}) });
  };
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (startsLogbackEvent(line)) {
      flush(current);
      current = [line];
    } else if (current.length && line !== '') current.push(line);
  }
  flush(current);
  return events;
}
