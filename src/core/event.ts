// The normalised log record that flows through every path of Logfed: adapters return it,
// the compute core emits it, GraphQL serves it. Timestamps are epoch milliseconds (UTC).

export interface LogEvent {
  ts: number;
  domain: string;
  env: string;
  app: string;
  file: string;
  host?: string;
  level?: string;
  traceId?: string;
  message: string;
  fields?: Record<string, unknown>;
}

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type Level = (typeof LEVELS)[number];

/** Normalises level spellings seen in the wild (warning, err, critical...) to one of LEVELS. */
export function normaliseLevel(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const up = raw.trim().toUpperCase();
  switch (up) {
    case 'WARNING':
      return 'WARN';
    case 'ERR':
    case 'SEVERE':
      return 'ERROR';
    case 'CRITICAL':
    case 'CRIT':
    case 'PANIC':
      return 'FATAL';
    case 'FINE':
    case 'FINER':
    case 'FINEST':
      return 'DEBUG';
    default:
      return up;
  }
}
