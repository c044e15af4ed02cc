import { describe, expect, it } from 'vitest';
import { checkPlugin, definePlugin, PluginDefinitionError } from './define.js';

const problemsOf = (input: unknown): string[] => {
  try {
    checkPlugin(input);
  } catch (err) {
    if (err instanceof PluginDefinitionError) return err.problems;
    throw err;
  }
  return [];
};

describe('definePlugin', () => {
  it('accepts a minimal definition and returns it checked and frozen, domains deduplicated', () => {
    const p = definePlugin({ name: 'orders', domains: ['shop', 'shop'] });
    expect(p.name).toBe('orders');
    expect(p.domains).toEqual(['shop']);
    expect(Object.isFrozen(p)).toBe(true);
    expect(checkPlugin(p)).toBe(p);
  });

  it('accepts every optional part when it has the right shape', () => {
    const p = definePlugin({
      name: 'pay-gateway',
      domains: ['pay'],
      typeDefs: ['extend type Query { x: Int }'],
      resolvers: { Query: { x: () => 1 } },
      layout: () => [],
      traceMapper: () => undefined,
      parsers: { 'pay-route': () => undefined },
      adapters: { 'pay-archive': () => ({}) as never },
      hooks: { plan: (_c, t) => t, results: (_c, e) => e, event: (e) => e },
    });
    expect(Object.keys(p.hooks!)).toEqual(['plan', 'results', 'event']);
  });

  it('names the plugin and every bad field, saying what was expected and what came', () => {
    let err: unknown;
    try {
      definePlugin({ name: 'orders', domains: [], hooks: { plan: 'nope' as never } } as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PluginDefinitionError);
    const message = (err as Error).message;
    expect(message).toContain('plugin "orders"');
    expect(message).toContain('domains: expected at least one domain');
    expect(message).toContain('hooks.plan: expected a function (ctx, targets) => targets');
  });

  it.each([
    [{ domains: ['shop'] }, 'name: Required'],
    [{ name: 'Orders!', domains: ['shop'] }, 'name: expected a lower-case name'],
    [{ name: 'orders', domains: ['Shop'] }, 'domains.0: expected a lower-case name'],
    [{ name: 'orders', domains: ['shop'], hook: {} }, 'unknown key "hook"'],
    [{ name: 'orders', domains: ['shop'], hooks: { after: () => 1 } }, 'unknown key "after"'],
    [{ name: 'orders', domains: ['shop'], typeDefs: '  ' }, 'typeDefs: expected SDL text, a parsed document, or a list of them'],
    [{ name: 'orders', domains: ['shop'], traceMapper: /re/ }, 'traceMapper: expected a function'],
    [{ name: 'orders', domains: ['shop'], parsers: { Bad: () => 1 } }, 'parsers.Bad: expected a lower-case name'],
    [{ name: 'orders', domains: ['shop'], adapters: { s3: 'factory' } }, 'adapters.s3: expected an adapter factory'],
    [{ name: 'orders', domains: 'shop' }, 'domains: Expected array, received string, got string'],
  ])('refuses %j', (input, problem) => {
    expect(problemsOf(input).join('\n')).toContain(problem);
  });

  it('refuses what is not an object at all', () => {
    expect(problemsOf(undefined)).toEqual(['expected a definition object { name, domains, ... }, got undefined']);
    expect(problemsOf([])[0]).toContain('got an array');
  });
});
