import { describe, expect, it } from 'vitest';
import { validateRule, type Rule } from '../rules/index.js';
import type { RuleSnapshot } from '../rule-store/index.js';
import { selectRules, usesRule } from './select.js';

const type = (id: string, version = 1): Rule => validateRule({ id, kind: 'dataType', version, online: true });
const stored = (rule: Rule) => ({ id: rule.id, kind: rule.kind, version: rule.version, online: rule.online, rule });

describe('selectRules', () => {
  const snapshot: RuleSnapshot = {
    rules: [stored(type('b.one')), stored(type('a.x')), stored(type('b.two'))],
    rejected: [{ id: 'b.bad', version: 2, where: 'f.yaml#rules[3]', issues: [{ path: 'f.yaml#rules[3].kind', message: 'no' }] }],
  };

  it('takes ids and id prefixes in the task order, each rule once', () => {
    const s = selectRules(['a.x', 'b.*', 'b.one'], snapshot, new Map());
    expect(s.rules.map((r) => r.id)).toEqual(['a.x', 'b.one', 'b.two']);
    expect([...s.rejected.keys()]).toEqual(['b.bad']);
    expect(s.missing).toEqual([]);
  });

  it('keeps the running version of a rule whose stored version does not validate, in its place', () => {
    const running = new Map([['b.bad', type('b.bad', 1)]]);
    const s = selectRules(['b.*'], snapshot, running);
    expect(s.rules.map((r) => `${r.id}@${r.version}`)).toEqual(['b.bad@1', 'b.one@1', 'b.two@1']);
    expect(s.stored.has('b.bad')).toBe(false);
  });

  it('reports ids the store does not hold', () => {
    expect(selectRules(['a.x', 'zzz', 'c.*'], snapshot, new Map()).missing).toEqual(['zzz', 'c.*']);
    expect(usesRule(['a.*'], 'a.q')).toBe(true);
    expect(usesRule(['a.x'], 'a.xy')).toBe(false);
  });
});
