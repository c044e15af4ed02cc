import { describe, expect, it } from 'vitest';
import { pack, transferables, unpack } from './kafka-pack.js';
import type { BusMessage } from './types.js';

const bytesOf = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

describe('pack / unpack', () => {
  it('gives back every record: string and byte values, multi-byte text, empty values, keys and headers', () => {
    const messages: BusMessage[] = [
      { key: 'shop/prod/app/app.log', value: '{"message":"订单 42 已创建 ✓"}' },
      { key: null, value: Buffer.from([0x7b, 0xff, 0x00]) },
      { value: '' },
      { key: 'shop/prod/app/app.log', value: 'second with the same key', headers: { 'x-logfed-reason': 'bad — input', origin: 'agent-7' } },
      { key: 'other', value: Buffer.alloc(0) },
    ];
    const packed = pack(messages);
    expect(packed.keys).toEqual(['shop/prod/app/app.log', 'other']);
    const back = unpack(packed);
    expect(back).toHaveLength(messages.length);
    back.forEach((m, i) => {
      expect(Buffer.isBuffer(m.value)).toBe(true);
      expect((m.value as Buffer).equals(bytesOf(messages[i]!.value))).toBe(true);
      expect(m.key).toBe(messages[i]!.key ?? null);
      expect(m.headers).toEqual(messages[i]!.headers);
    });
  });

  it('sends no header list when no record has headers', () => {
    expect(pack([{ key: 'k', value: 'v' }]).headers).toBeUndefined();
  });

  it('survives a transfer to another thread: the buffers move and the records read the same there', () => {
    const messages: BusMessage[] = Array.from({ length: 1_000 }, (_, i) => ({ key: `file-${i % 7}`, value: `line ${i} é` }));
    const packed = pack(messages);
    const { port1, port2 } = new MessageChannel();
    const moved = new Promise<ReturnType<typeof pack>>((resolve) => port2.once('message', resolve));
    port1.postMessage(packed, transferables(packed));
    expect(packed.bytes.byteLength).toBe(0);
    return moved.then((copy) => {
      port1.close();
      const back = unpack(copy);
      expect(back.map((m) => (m.value as Buffer).toString('utf8'))).toEqual(messages.map((m) => m.value));
      expect(back.map((m) => m.key)).toEqual(messages.map((m) => m.key));
    });
  });
});
