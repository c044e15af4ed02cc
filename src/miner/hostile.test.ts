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

  it('keeps at most maxPatterns under a flood of distinct lines, dropping the least recently hit', () => {
    const m = createMiner({ maxPatterns: 100 });
    const kept = m.add('heartbeat ok').patternId;
    for (let i = 0; i < 1000; i++) {
      m.add(garbage(3, i + 7).replace(/\s/g, '_') + ' ' + garbage(2, i + 9000).replace(/\s/g, '_'));
      if (i % 50 === 0) m.add('heartbeat ok');
    }
    const s = m.stats();
    expect(s.patterns).toBeLessThanOrEqual(100);
    expect(s.evicted).toBeGreaterThan(800);
    expect(m.patterns().map((p) => p.id)).toContain(kept);
    expect(m.add('heartbeat ok').change).toBe('none');
  });

  it('takes a literal wildcard in a message as a value', () => {
    const m = createMiner();
    m.add('value <*> set');
    expect(m.add('value 12 set').template).toBe('value <*> set');
  });
});
