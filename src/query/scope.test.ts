import { describe, expect, it } from 'vitest';
import { applyScope } from './scope.js';

describe('applyScope', () => {
  it('without a scope, passes the request through', () => {
    expect(applyScope({ domains: ['a'] }, undefined)).toEqual({ domains: ['a'], deniedDomains: [] });
    expect(applyScope({}, undefined)).toEqual({ domains: undefined, deniedDomains: [] });
  });

  it('keeps the readable domains and reports the others as denied', () => {
    expect(applyScope({ domains: ['a', 'b', 'c'] }, { domains: ['c', 'a'] })).toEqual({ domains: ['a', 'c'], deniedDomains: ['b'], apps: undefined });
  });

  it('no domains requested means every domain in scope', () => {
    expect(applyScope({}, { domains: ['z', 'a'] }).domains).toEqual(['a', 'z']);
    expect(applyScope({}, { domains: '*' }).domains).toBeUndefined();
  });

  it('carries the per-domain app lists to the planner', () => {
    expect(applyScope({}, { domains: '*', apps: { a: ['x'] } }).apps).toEqual({ a: ['x'] });
  });
});
