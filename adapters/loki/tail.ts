// Live lines of a Loki logstore through /loki/api/v1/tail (a WebSocket): each message's lines,
// checked in process like a search's, become events until the caller's signal aborts. Lines the
// server dropped because the reader was slow are counted, not hidden.

import WebSocket from 'ws';
import type { LogEvent } from '../../src/core/event.js';
import { LogfedError, toLogfedError } from '../../src/errors/index.js';
import { counter } from '../../src/observe/metrics.js';
import { statusCode } from '../_http/status.js';
import { parseTailMessage } from './response.js';

const dropped = counter('logfed_adapter_loki_tail_dropped_total', 'Lines Loki dropped from a live tail because the reader fell behind');

export interface TailOptions {
  url: string;
  headers: Record<string, string>;
  what: string;
  signal: AbortSignal;
  /** Turns a message's entries into events; undefined drops the line. */
  accept(entries: ReturnType<typeof parseTailMessage>['entries']): LogEvent[];
}

export async function* tailLines(o: TailOptions): AsyncGenerator<LogEvent> {
  if (o.signal.aborted) return;
  const ws = new WebSocket(o.url, { headers: o.headers, handshakeTimeout: 10_000 });
  const queue: LogEvent[] = [];
  let failure: LogfedError | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (e: LogfedError) => {
    failure ??= e;
    ended = true;
    poke();
  };
  const onAbort = () => {
    ended = true;
    ws.terminate();
    poke();
  };
  o.signal.addEventListener('abort', onAbort, { once: true });
  ws.on('message', (data) => {
    try {
      const msg = parseTailMessage(data.toString(), o.what);
      if (msg.dropped) dropped.inc(msg.dropped);
      queue.push(...o.accept(msg.entries));
      poke();
    } catch (err) {
      fail(toLogfedError(err, 'BACKEND_ERROR'));
      ws.terminate();
    }
  });
  ws.on('unexpected-response', (_req, res) => {
    let text = '';
    res.on('data', (c: Buffer) => (text += c.toString()));
    res.on('end', () => fail(new LogfedError(statusCode(res.statusCode ?? 0), `${o.what}: tail refused: ${res.statusCode} ${text.trim().slice(0, 300)}`)));
  });
  ws.on('error', (err) => fail(new LogfedError(toLogfedError(err, 'BACKEND_UNAVAILABLE').code, `${o.what}: tail: ${err.message}`, { cause: err })));
  ws.on('close', (code, reason) => {
    if (!o.signal.aborted) fail(new LogfedError('BACKEND_UNAVAILABLE', `${o.what}: tail closed by the server (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
  });
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (ended) break;
      await new Promise<void>((r) => (wake = r));
    }
    if (failure && !o.signal.aborted) throw failure;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }
}
