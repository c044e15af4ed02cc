import { describe, expect, it } from 'vitest';
import { createMiner, restoreMiner, WILDCARD } from './index.js';

// A deterministic byte soup: what a binary file piped into a log looks like.
function garbage(length: number, seed: number): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += String.fromCharCode((x >>> 16) & 0xffff);
  }
  return out;
}

describe('hostile input', () => {
  it('mines empty and blank lines into one empty pattern', () => {
    const m = createMiner();
    expect(m.add('').template).toBe('');
    expect(m.add('   \t ').change).toBe('none');
    expect(m.patterns()).toHaveLength(1);
  });

  it('caps the tokens of a 1 MiB line and counts what it dropped', () => {
    const m = createMiner({ maxTokens: 64, maxMessageLength: 2 * 1024 * 1024 });
    const line = 'word '.repeat((1024 * 1024) / 5);
    const r = m.add(line);
    expect(r.template.split(' ')).toHaveLength(65);
    expect(r.template.endsWith(` ${WILDCARD}`)).toBe(true);
    expect(m.stats()).toMatchObject({ truncatedMessages: 1, truncatedTokens: line.trim().split(' ').length - 64 });
  });

  it('cuts a line past the character cap and masks an over-long token whole', () => {
    const m = createMiner();
    const r = m.add('payload ' + 'A'.repeat(1024 * 1024));
    expect(r.template).toBe(`payload ${WILDCARD} ${WILDCARD}`);
    expect(m.stats()).toMatchObject({ truncatedMessages: 1, longTokens: 1 });
    expect(m.add('payload ' + 'B'.repeat(900_000)).patternId).toBe(r.patternId);
  });

  it('mines binary garbage without failing, and its state still round-trips', () => {
    const m = createMiner();
    for (let i = 0; i < 200; i++) {
      const r = m.add(garbage(1 + ((i * 37) % 4000), i + 1));
      expect(typeof r.patternId).toBe('string');
    }
    m.add('\u0000\u0001\u0002 \uffff \ud800');
    const restored = restoreMiner(JSON.parse(JSON.stringify(m.snapshot())));
    expect(restored.patterns()).toEqual(m.patterns());
  });

  it('takes a literal wildcard in a message as a value', () => {
    const m = createMiner();
    m.add('value <*> set');
    expect(m.add('value 12 set').template).toBe('value <*> set');
  });
});
