// Structured logging for the whole process (pino). Child loggers carry the component name:
// log.child({ component: 'fanout' }).warn({ err, logstore }, 'backend query failed').

import { pino } from 'pino';

export const log = pino({
  level: process.env.LOGFED_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof log;
