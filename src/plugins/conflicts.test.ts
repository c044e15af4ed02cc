import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema, loadTypeDefs } from '../server/schema.js';
import { checkPlugins, findConflicts } from './conflicts.js';
import { definePlugin, type PluginDefinition } from './define.js';

const base = loadTypeDefs();
const plugin = (name: string, more: Partial<PluginDefinition> = {}) => definePlugin({ name, domains: ['shop'], ...more });
const trail = (name: string) =>
  plugin(name, {
    typeDefs: `type Trail${name.length} { id: String! }\nextend type Query { orderTrail(orderId: String!): Trail${name.length} }`,
    resolvers: { Query: { orderTrail: () => null } },
  });

describe('conflicts between plugins and with the base schema', () => {
  it('names both plugins and the element when two define Query.orderTrail', () => {
    const a = trail('orders');
    const b = trail('orders-copy');
    expect(findConflicts([a, b], { baseTypeDefs: base })).toEqual(['Query.orderTrail is defined by plugin "orders" and by plugin "orders-copy"']);
    expect(() => checkPlugins([a, b], { baseTypeDefs: base })).toThrow(/Query\.orderTrail is defined by plugin "orders" and by plugin "orders-copy"/);
  });

  it('names the base schema when a plugin redefines one of its fields or types', () => {
    const p = plugin('greedy', { typeDefs: 'extend type Query { logs: Int }\ntype Domain { name: String }' });
    expect(findConflicts([p], { baseTypeDefs: base })).toEqual([
      'Query.logs is defined by base schema and by plugin "greedy"',
      'Domain is defined by base schema and by plugin "greedy"',
      'Domain.name is defined by base schema and by plugin "greedy"',
    ]);
  });

  it('reports a type two plugins define, and enum values and directives too', () => {
    const a = plugin('a', { typeDefs: 'type Purchase { id: ID }\nenum Channel { CARD }\ndirective @audit on FIELD_DEFINITION' });
    const b = plugin('b', { typeDefs: 'type Purchase { no: ID }\nextend enum Channel { CARD }\ndirective @audit on FIELD_DEFINITION' });
    expect(findConflicts([a, b], { baseTypeDefs: base })).toEqual([
      'Purchase is defined by plugin "a" and by plugin "b"',
      'Channel.CARD is defined by plugin "a" and by plugin "b"',
      '@audit is defined by plugin "a" and by plugin "b"',
    ]);
  });

  it('lets plugins extend base types and root types with fields of their own', () => {
    const a = plugin('a', { typeDefs: 'extend type LogEvent { orderId: String }\ntype Query { a: Int }', resolvers: { LogEvent: { orderId: () => null }, Query: { a: () => 1 } } });
    const b = plugin('b', { typeDefs: 'extend type Query { b: Int }', resolvers: { Query: { b: () => 2 } } });
    expect(findConflicts([a, b], { baseTypeDefs: base })).toEqual([]);
  });

  it('refuses a resolver for a field its plugin does not define', () => {
    const p = plugin('hijack', { typeDefs: 'extend type Query { mine: Int }', resolvers: { Query: { mine: () => 1, logs: () => null, ghost: () => 1 }, Log: { __resolveType: () => 'LogEvent' } } });
    expect(findConflicts([p], { baseTypeDefs: base })).toEqual([
      'plugin "hijack" has a resolver for Query.logs, which base schema defines',
      'plugin "hijack" has a resolver for Query.ghost, which no schema defines',
      'plugin "hijack" has a resolver for Log, which base schema defines',
    ]);
  });

  it('reports adapter kinds, parser names and domain layouts claimed twice', () => {
    const factory = () => ({}) as never;
    const a = plugin('a', { adapters: { file: factory, s3: factory }, parsers: { route: () => undefined }, layout: () => [] });
    const b = plugin('b', { adapters: { s3: factory }, parsers: { route: () => undefined, json: () => undefined }, layout: () => [] });
    expect(findConflicts([a, b], { baseTypeDefs: base, adapterKinds: ['file', 'mysql'] })).toEqual([
      'adapter kind file is defined by Logfed itself (built in) and by plugin "a"',
      'adapter kind s3 is defined by plugin "a" and by plugin "b"',
      'parser route is defined by plugin "a" and by plugin "b"',
      'parser json is defined by Logfed itself (built in) and by plugin "b"',
      'layout of domain shop is defined by plugin "a" and by plugin "b"',
    ]);
  });

  it('names the plugin whose SDL does not parse', () => {
    expect(() => checkPlugins([plugin('broken', { typeDefs: 'type {' })], { baseTypeDefs: base })).toThrow(/plugin "broken": its SDL does not parse/);
  });
});

describe('buildSchema with plugins', () => {
  it('serves a plugin field next to the base schema', async () => {
    const p = plugin('hello', { typeDefs: 'extend type Query { hello(name: String!): String! }', resolvers: { Query: { hello: (_: unknown, a: { name: string }) => `hi ${a.name}` } } });
    const schema = buildSchema({ plugins: [p] });
    const res = await graphql({ schema, source: '{ hello(name: "shop") }' });
    expect(res).toEqual({ data: { hello: 'hi shop' } });
    expect(schema.getQueryType()!.getFields().logs).toBeDefined();
  });

  it('refuses conflicting plugins with the same message as at start', () => {
    expect(() => buildSchema({ plugins: [trail('orders'), trail('orders-copy')] })).toThrow(/Query\.orderTrail is defined by plugin "orders" and by plugin "orders-copy"/);
  });

  it('names the plugin whose SDL refers to a type nobody defines', () => {
    const ok = plugin('fine', { typeDefs: 'extend type Query { fine: Int }', resolvers: { Query: { fine: () => 1 } } });
    const bad = plugin('dangling', { typeDefs: 'extend type Query { order: Missing }' });
    expect(() => buildSchema({ plugins: [ok, bad] })).toThrow(/plugin "dangling": its SDL does not fit the base schema: .*Missing/);
  });
});
