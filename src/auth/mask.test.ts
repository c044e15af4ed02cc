import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import type { Logstore } from '../topology/types.js';
import { createReadMasker, sensitiveFieldsFor } from './mask.js';

const ev = (message: string, fields?: Record<string, unknown>): LogEvent => ({ ts: 1, domain: 'shop', env: 'prod', app: 'user', file: 'app.log', message, fields });

describe('masking on read', () => {
  it('replaces marked fields and their echoes in the message with one consistent pseudonym', () => {
    const m = createReadMasker('k'.repeat(32));
    const e = ev('login phone=13812345678 from card 13812345678 ok', { phone: '13812345678', user: 'bob' });
    const out = m.mask(e, ['phone']);
    expect(out.fields!.phone).toMatch(/^<field:[0-9a-f]{8}>$/);
    expect(out.fields!.user).toBe('bob');
    expect(out.message).not.toContain('13812345678');
    expect(out.message.split(String(out.fields!.phone)).length - 1).toBe(2);
    // the original is left as it was (it may be cached by an adapter)
    expect(e.fields!.phone).toBe('13812345678');
    expect(e.message).toContain('13812345678');
    // same value, same pseudonym; another value, another
    expect(m.mask(ev('x', { phone: '13812345678' }), ['phone']).fields!.phone).toBe(out.fields!.phone);
    expect(m.mask(ev('x', { phone: '13900000000' }), ['phone']).fields!.phone).not.toBe(out.fields!.phone);
  });

  it('masks name=value and JSON pairs in the message when no field was lifted', () => {
    const m = createReadMasker('k'.repeat(32));
    const out = m.mask(ev('req {"email":"a@b.co", "id": 7} EMAIL: c@d.io token=abc'), ['email']);
    expect(out.message).not.toMatch(/a@b\.co|c@d\.io/);
    expect(out.message).toContain('"id": 7');
    expect(out.message).toContain('token=abc');
  });

  it('masks detected kinds named with @ wherever they occur, and only those kinds', () => {
    const m = createReadMasker('k'.repeat(32));
    const out = m.mask(ev('receipt mailed to user1234@example.com, sms to 13800131234, order ORD20260042'), ['@email', '@phone']);
    expect(out.message).not.toContain('user1234@example.com');
    expect(out.message).not.toContain('13800131234');
    expect(out.message).toContain('ORD20260042');
    expect(out.message).toMatch(/<email:[0-9a-f]+>/);
    expect(m.mask(ev('mailed to user1234@example.com'), ['@email']).message).toBe(m.mask(ev('mailed to user1234@example.com'), ['@email', '@phone']).message);
    // a kind not named stays readable
    expect(m.mask(ev('sms to 13800131234'), ['@email']).message).toContain('13800131234');
  });

  it('keys pseudonyms by the secret', () => {
    const a = createReadMasker('a'.repeat(32)).mask(ev('', { phone: '1' }), ['phone']).fields!.phone;
    const b = createReadMasker('b'.repeat(32)).mask(ev('', { phone: '1' }), ['phone']).fields!.phone;
    expect(a).not.toBe(b);
  });

  it('finds the sensitive fields of every logstore that may hold an event', () => {
    const base = { backend: 'b', location: {}, env: 'prod' };
    const stores: Logstore[] = [
      { ...base, id: '1', domain: 'shop', layout: 'env', sensitiveFields: ['phone'] },
      { ...base, id: '2', domain: 'shop', layout: 'app', app: 'user', sensitiveFields: ['email'] },
      { ...base, id: '3', domain: 'shop', layout: 'app', app: 'cart', sensitiveFields: ['card'] },
      { ...base, id: '4', domain: 'shop', layout: 'file', app: 'user', file: 'audit.log', sensitiveFields: ['ip'] },
      { ...base, id: '5', domain: 'pay', layout: 'env', sensitiveFields: ['iban'] },
    ];
    expect(sensitiveFieldsFor(stores, ev('')).sort()).toEqual(['email', 'phone']);
    expect(sensitiveFieldsFor(stores, { ...ev(''), file: 'audit.log' }).sort()).toEqual(['email', 'ip', 'phone']);
    expect(sensitiveFieldsFor(stores, { ...ev(''), env: 'pre' })).toEqual([]);
  });
});
