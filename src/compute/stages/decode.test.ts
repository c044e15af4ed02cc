import { describe, expect, it } from 'vitest';
import { decode, decodeJsonObject, DEFAULT_DECODE, firstInvalidUtf8 } from './decode.js';
import { isRejected } from './types.js';

const reason = (v: unknown) => (isRejected(v) ? `${v.code}: ${v.rejected}` : 'ok');

describe('decode', () => {
  it.each([
    ['plain text', Buffer.from('hello world'), 'hello world'],
    ['trailing CRLF', Buffer.from('line\r\n'), 'line'],
    ['UTF-8 BOM', Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]), 'hi'],
    ['Chinese text', Buffer.from('订单 1001 已创建'), '订单 1001 已创建'],
    ['colour codes', Buffer.from('\x1b[32mINFO\x1b[0m ok'), '\x1b[32mINFO\x1b[0m ok'],
    ['empty record', Buffer.alloc(0), ''],
  ])('keeps %s', (_name, input, text) => {
    expect(decode(input)).toEqual({ text, truncated: false });
  });

  it.each([
    ['a NUL byte', Buffer.from('abc\0def'), 'binary: binary data: NUL byte at offset 3'],
    ['control bytes', Buffer.from(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x61))), 'binary: binary data: 34% control bytes in the first 100 bytes'],
    ['a lone continuation byte', Buffer.from([0x61, 0x62, 0x80, 0x63]), 'invalidUtf8: invalid UTF-8 at byte 2'],
    ['an overlong encoding', Buffer.from([0x61, 0xc0, 0xaf]), 'invalidUtf8: invalid UTF-8 at byte 1'],
    ['a cut multi-byte character', Buffer.from([0x61, 0xe8, 0xae]), 'invalidUtf8: invalid UTF-8 at byte 1'],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), 'invalidUtf8: invalid UTF-8 at byte 0'],
  ])('refuses %s with the reason', (_name, input, expected) => {
    expect(reason(decode(input))).toBe(expected);
  });

  it('cuts a 2 MiB line at the cap on a character boundary and flags it', () => {
    const line = Buffer.from('é'.repeat(1024 * 1024)); // 2 MiB of two-byte characters
    const out = decode(line, { ...DEFAULT_DECODE, maxBytes: 1024 * 1024 + 1 });
    expect(isRejected(out)).toBe(false);
    const { text, truncated } = out as { text: string; truncated: boolean };
    expect(truncated).toBe(true);
    expect(Buffer.byteLength(text)).toBe(1024 * 1024);
    expect(text.endsWith('é')).toBe(true);
  });

  it('refuses an oversize record when told to', () => {
    expect(reason(decode(Buffer.alloc(2000, 0x61), { ...DEFAULT_DECODE, maxBytes: 1000, oversize: 'reject' }))).toBe(
      'oversize: record is 2000 bytes; the limit is 1000',
    );
  });
});

describe('firstInvalidUtf8', () => {
  it('is the length for valid input', () => {
    expect(firstInvalidUtf8(Buffer.from('ok 订单 😀'))).toBe(Buffer.byteLength('ok 订单 😀'));
  });
});

describe('decodeJsonObject', () => {
  it.each([
    ['[1,2]', 'jsonNotObject: JSON is not an object (got an array)'],
    ['"text"', 'jsonNotObject: JSON is not an object (got string)'],
    ['42', 'jsonNotObject: JSON is not an object (got number)'],
    ['null', 'jsonNotObject: JSON is not an object (got null)'],
    ['{"a":', 'invalidJson: not valid JSON'],
    ['  at x', 'invalidJson: not valid JSON: unexpected "a" at position 2'],
    ['   ', 'invalidJson: not valid JSON: empty text'],
  ])('refuses %s', (input, expected) => {
    expect(reason(decodeJsonObject(input))).toContain(expected);
  });

  it('reads an object, even one with a "rejected" key', () => {
    expect(decodeJsonObject('{"rejected":"x","code":"y"}')).toEqual({ rejected: 'x', code: 'y' });
    expect(isRejected(decodeJsonObject('{"rejected":"x","code":"y"}'))).toBe(false);
  });
});
