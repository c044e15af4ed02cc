import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { covers, generaliseToken, isSoftMismatch } from './generalise.js';
import { maskWord } from './mask.js';

describe('covers and isSoftMismatch', () => {
  it.each([
    ['<*>', 'anything', true],
    ['<*>', '****', false],
    ['user=<*>', 'user=root', true],
    ['rhost=<*>', 'rhost=', true],
    ['(<*>)', '()', true],
    ['node-<*>', '<*>', false],
    ['enable...<*>', 'enable......<*>', false],
    ['<*>:<*>', '<*>:<*>', true],
  ])('covers(%s, %s) = %s', (t, w, expected) => {
    expect(covers(t, w)).toBe(expected);
  });

  it.each([
    // template token, message token, soft?
    ['cache46', 'cache559', true],
    ['eth0', 'eth1', true],
    ['eth0', 'wlan0', false],
    ['RUNNING', 'STOPPED', false],
    ['tty=console', 'tty=:<*>', false],
    ['(uid=<*>)', 'LOGIN(uid=<*>)', false],
    ['address:', 'address', false],
    ['host.example.org', '<*>', true],
    ['node-<*>', '<*>', true],
    ['<*>', '->', false],
    ['()', '(<*>)', true],
  ])('isSoftMismatch(%s, %s) = %s', (t, w, expected) => {
    expect(isSoftMismatch(t, w)).toBe(expected);
  });
});

describe('generaliseToken', () => {
  it.each([
    ['user=root', 'user=guest', 'user=<*>'],
    ['(uid=<*>)', 'LOGIN(uid=<*>)', '<*>(uid=<*>)'],
    ['HOST-KX7QZ2', 'HOST-P9R52AB', 'HOST-<*>'],
    ['node-<*>', '<*>', '<*>'],
    ['()', '(<*>)', '(<*>)'],
  ])('%s + %s -> %s', (a, b, g) => {
    expect(generaliseToken(a, b)).toBe(g);
  });

  // Log-like tokens: words, numbers and punctuation in any mix, masked as the miner sees them.
  const token = fc
    .array(fc.constantFrom('a', 'bc', 'Node', '7', '42', '0x1f', '-', '.', '..', ':', '=', ',', '(', ')', '[', ']', '/', '_', '<*>'), {
      minLength: 1,
      maxLength: 6,
    })
    .map((parts) => maskWord(parts.join('')));

  it('covers both tokens it was made from, wherever the miner generalises', () => {
    fc.assert(
      fc.property(token, token, (a, b) => {
        fc.pre(isSoftMismatch(a, b));
        const g = generaliseToken(a, b);
        expect(covers(g, a)).toBe(true);
        expect(covers(g, b)).toBe(true);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
