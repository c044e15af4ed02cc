import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesIndex } from './series-index.js';

// Key field values as events carry them: strings, numbers, missing (which key as "").
const valueArb = fc.constantFrom<unknown>('a', 'b', '', 'x\u001fy', 0, 1, '1', undefined, null);

describe('SeriesIndex', () => {
  for (const fields of [0, 1, 2, 3]) {
    it(`finds every series it was given and nothing else, over ${fields} key field(s)`, () => {
      fc.assert(
        fc.property(fc.array(fc.array(valueArb, { minLength: fields, maxLength: fields }), { maxLength: 300 }), (keys) => {
          const index = new SeriesIndex(fields);
          const at = Array.from({ length: fields }, (_, i) => i);
          const want = new Map<string, number>();
          for (const values of keys) {
            const texts = values.map((v) => (v == null ? '' : String(v)));
            const id = want.get(JSON.stringify(texts));
            expect(index.find(values, at)).toBe(id ?? -1);
            if (id === undefined) {
              want.set(JSON.stringify(texts), want.size);
              index.add(texts, want.size - 1);
            }
          }
          for (const [k, id] of want) expect(index.find(JSON.parse(k) as string[], at)).toBe(id);
        }),
        { seed: 20240303, numRuns: 80 },
      );
    });
  }

  it('keeps finding series as its table grows far past its first size', () => {
    const index = new SeriesIndex(2);
    for (let i = 0; i < 20_000; i++) index.add([`app${i % 97}`, `intf${i}`], i);
    for (let i = 0; i < 20_000; i += 7) expect(index.find([`app${i % 97}`, `intf${i}`], [0, 1])).toBe(i);
    expect(index.find(['app1', 'intf0'], [0, 1])).toBe(-1);
    expect(index.find(['app0', 'nope'], [0, 1])).toBe(-1);
  });

  it('reads the key values at the places it is told', () => {
    const index = new SeriesIndex(2);
    index.add(['pay', 'h1'], 0);
    expect(index.find([12, 'h1', 'ignored', 'pay'], [3, 1])).toBe(0);
  });
});
