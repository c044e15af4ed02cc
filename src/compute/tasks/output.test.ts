import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { commitAfter } from './commit.js';
import { DEAD_LETTER_CUT_HEADER, deadLetterRecord, eventMessage } from './output.js';

const event: LogEvent = { ts: 1, domain: 'shop', env: 'prod', app: 'cart', file: 'app.log', message: 'hello', fields: { _type: 'x' } };

describe('task output', () => {
  it('writes an event as JSON keyed by its source file', () => {
    const m = eventMessage(event);
    expect(m.key).toBe('shop/prod/cart/app.log');
    expect(JSON.parse(String(m.value))).toEqual(event);
  });

  it('cuts a message that would exceed the broker limit on a character boundary and flags it', () => {
    const big = { ...event, message: 'é'.repeat(5_000) };
    const m = eventMessage(big, 4_000);
    const value = String(m.value);
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(4_000);
    const back = JSON.parse(value) as LogEvent;
    expect(back.fields).toEqual({ _type: 'x', _truncated: true });
    expect(big.message.startsWith(back.message)).toBe(true);
    expect(back.message.length).toBeGreaterThan(1_000);
  });

  it('keeps a dead letter’s bytes, key and headers, and cuts only what the broker cannot take', () => {
    const record = { topic: 'in', partition: 2, offset: '41', key: 'k', value: Buffer.alloc(10, 1), headers: { app: 'cart' }, timestamp: 7 };
    expect(deadLetterRecord({ record, reason: 'r' })).toEqual(record);
    const cut = deadLetterRecord({ record, reason: 'r' }, 4);
    expect(cut.value).toEqual(Buffer.alloc(4, 1));
    expect(cut.headers).toEqual({ app: 'cart', [DEAD_LETTER_CUT_HEADER]: '10' });
  });

  it('commits the offset after the last record of a batch', () => {
    const r = (offset: string) => ({ topic: 't', partition: 1, offset, key: null, value: Buffer.alloc(0), headers: {}, timestamp: 0 });
    expect(commitAfter([r('9'), r('9007199254740993')])).toEqual([{ topic: 't', partition: 1, offset: '9007199254740994' }]);
    expect(commitAfter([])).toEqual([]);
  });
});
