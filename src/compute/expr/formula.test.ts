import { describe, expect, it } from 'vitest';
import { evaluateFormula, formulaAliases, FormulaError, parseFormula } from './formula.js';

const ALIASES = ['A1', 'B1', 'C1', 'x'];
const calc = (src: string, values: Record<string, number> = {}) => evaluateFormula(parseFormula(src, ALIASES), new Map(Object.entries(values)));

function errorOf(src: string, aliases = ALIASES): { reason: string; column: number | undefined; message: string } {
  try {
    parseFormula(src, aliases);
  } catch (e) {
    if (e instanceof FormulaError) return { reason: e.reason, column: e.column, message: e.message };
    throw e;
  }
  throw new Error(`"${src}" parsed`);
}

describe('formula evaluation', () => {
  it.each([
    ['A1*0.2+B1*0.3+C1*0.5', { A1: 10, B1: 20, C1: 30 }, 10 * 0.2 + 20 * 0.3 + 30 * 0.5],
    ['1+2*3', {}, 7],
    ['(1+2)*3', {}, 9],
    ['10-4-3', {}, 3],
    ['100/10/5', {}, 2],
    ['2*3-4/2', {}, 4],
    ['-A1+5', { A1: 2 }, 3],
    ['-(A1+5)', { A1: 2 }, -7],
    ['--A1', { A1: 2 }, 2],
    ['2*-A1', { A1: 3 }, -6],
    ['+A1', { A1: 3 }, 3],
    ['1.5e2+.5', {}, 150.5],
    ['max(A1, B1, 3)', { A1: 1, B1: 2 }, 3],
    ['min(A1, B1)', { A1: 1, B1: 2 }, 1],
    ['abs(A1-B1)', { A1: 1, B1: 5 }, 4],
    ['round(x, 2)', { x: 2.345 }, 2.35],
    ['round(-2.5)', {}, -3],
    ['floor(2.7) + ceil(2.1)', {}, 5],
  ] as const)('%s = %d', (src, values, want) => {
    expect(calc(src, values)).toBeCloseTo(want, 10);
  });

  it('gives null for a division by zero, and null propagates', () => {
    expect(calc('A1/B1', { A1: 1, B1: 0 })).toBeNull();
    expect(calc('A1/B1*0 + 5', { A1: 1, B1: 0 })).toBeNull();
    expect(calc('max(A1/B1, 3)', { A1: 1, B1: 0 })).toBeNull();
    expect(calc('0/0')).toBeNull();
  });

  it('gives null for an alias without a value', () => {
    expect(calc('A1+B1', { A1: 1 })).toBeNull();
  });

  it('lists the aliases a formula reads', () => {
    expect([...formulaAliases(parseFormula('B1*2 + max(A1, B1)', ALIASES))]).toEqual(['B1', 'A1']);
  });
});

describe('formula errors name the problem and the column', () => {
  it.each([
    ['A1*0.2+B1*0.3+C2*0.5', 'unknown alias "C2"', 15],
    ['A1 +* B1', 'expected a number, an alias or "(", got "*"', 5],
    ['(A1+B1', '"(" at column 1 is never closed; got the end of the formula', 7],
    ['A1+B1)', 'unexpected ")"', 6],
    ['A1 B1', 'expected an operator, got "B1"', 4],
    ['pow(A1, 2)', 'unknown function "pow" (allowed: min, max, abs, round, floor, ceil)', 1],
    ['abs(A1, B1)', 'function "abs" takes 1 argument(s), got 2', 1],
    ['round()', 'function "round" takes 1 or 2 argument(s), got 0', 1],
    ['A1 $ B1', 'unexpected character "$"', 4],
    ['A1+', 'expected a number, an alias or "(", got the end of the formula', 4],
    ['max(A1,', 'expected a number, an alias or "(", got the end of the formula', 8],
  ] as const)('%s', (src, reason, column) => {
    expect(errorOf(src)).toMatchObject({ reason, column });
  });

  it('reports an empty formula', () => {
    expect(errorOf('   ').reason).toBe('formula is empty');
  });

  it('puts the column in the message', () => {
    expect(errorOf('A1*0.2+C1', ['A1', 'B1']).message).toBe('unknown alias "C1" at column 8');
  });

  it('treats prototype names as unknown aliases, never as properties', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype']) {
      expect(errorOf(`A1+${name}`).reason).toBe(`unknown alias "${name}"`);
    }
    expect(errorOf('A1.constructor').reason).toBe('unexpected character "."');
    expect(errorOf('constructor(1)').reason).toMatch(/^unknown function "constructor"/);
  });

  it('evaluates a prototype-named alias only when it is declared, from the values given', () => {
    const ast = parseFormula('constructor*2', ['constructor']);
    expect(evaluateFormula(ast, new Map())).toBeNull();
    expect(evaluateFormula(ast, new Map([['constructor', 4]]))).toBe(8);
  });
});
