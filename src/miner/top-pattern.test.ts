import { describe, expect, it } from 'vitest';
import { topPatternIdOf } from './hash.js';
import { createMiner } from './index.js';
import { topTemplateText } from './top-pattern.js';

describe('topPattern', () => {
  it('counts a run of wildcards as one variable span, whatever its length', () => {
    expect(topTemplateText(['a', '<*>', '<*>', 'b'])).toBe('a <*> b');
    expect(topPatternIdOf(topTemplateText(['a', '<*>', '<*>', '<*>', 'b']))).toBe(topPatternIdOf(topTemplateText(['a', '<*>', 'b'])));
  });

  it('groups sibling patterns that differ in a word under one representative', () => {
    const m = createMiner();
    const last = ['RUNNING', 'PAUSED', 'STOPPED'].map((s) => m.add(`Node state changed to ${s}`)).pop()!;
    const patterns = m.patterns();
    expect(patterns).toHaveLength(3);
    for (const p of patterns) expect(p.topTemplate).toBe('Node state changed to <*>');
    expect(new Set(patterns.map((p) => p.topPatternId))).toEqual(new Set([last.topPatternId]));
    expect(m.patterns()[0]!.topPatternId).toBe(topPatternIdOf('Node state changed to <*>'));
  });

  it('joins templates whose value lists differ in length', () => {
    const m = createMiner();
    const one = m.add('Deleting blocks blk_1001');
    const three = m.add('Deleting blocks blk_1001 blk_1002 blk_1003');
    expect(one.patternId).not.toBe(three.patternId);
    expect(one.topPatternId).toBe(three.topPatternId);
  });

  it('keeps unrelated patterns under their own representatives', () => {
    const m = createMiner();
    const a = m.add('Node state changed to RUNNING');
    const b = m.add('Disk full on volume data');
    expect(a.topPatternId).not.toBe(b.topPatternId);
  });

  it('is stable across miners and orders', () => {
    const one = createMiner();
    const two = createMiner();
    one.add('Node state changed to RUNNING');
    const x = one.add('Node state changed to PAUSED');
    two.add('Node state changed to PAUSED');
    const y = two.add('Node state changed to RUNNING');
    expect(x.topPatternId).toBe(y.topPatternId);
  });
});
