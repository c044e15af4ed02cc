import { buildSchema, getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { limitsConfigSchema } from './limits/config.js';

const schema = buildSchema(`
  type Query { logs(first: Int): Conn!  name: String  node: Node }
  type Conn { edges: [Edge!]! }
  type Edge { node: Node! }
  type Node { id: String  child: Node  fields: String }
`);
const guard = (limits: Record<string, unknown> = {}) => createGuard(limitsConfigSchema.parse(limits));
const codes = (g: ReturnType<typeof guard>, q: string) => g.validate(schema, g.parse(q)).map((e) => e.extensions.code ?? e.message);

describe('guard', () => {
  it('refuses depth, aliases, directives and cost over their limits with LIMIT_EXCEEDED', () => {
    const g = guard({ depth: 4, aliases: 2, directives: 1, cost: 500 });
    expect(codes(g, '{ node { child { child { id } } } }')).toEqual([]);
    expect(codes(g, '{ node { child { child { child { id } } } } }')).toEqual(['LIMIT_EXCEEDED']);
    expect(codes(g, '{ a: name b: name }')).toEqual([]);
    expect(codes(g, '{ a: name b: name c: name }')).toEqual(['LIMIT_EXCEEDED']);
    expect(codes(g, '{ name @skip(if: false) name @include(if: true) }')).toEqual(['LIMIT_EXCEEDED']);
    expect(codes(g, '{ logs(first: 10) { edges { node { id } } } }')).toEqual([]);
    expect(codes(g, '{ logs(first: 1000) { edges { node { id } } } }')).toEqual(['LIMIT_EXCEEDED']);
  });

  it('counts depth through fragments', () => {
    const g = guard({ depth: 3 });
    expect(codes(g, '{ node { ...F } } fragment F on Node { child { child { id } } }')).toEqual(['LIMIT_EXCEEDED']);
  });

  it('lets the standard introspection query through under the default limits, unless introspection is off', () => {
    expect(codes(guard(), getIntrospectionQuery())).toEqual([]);
    expect(codes(guard({ introspection: false }), '{ __schema { queryType { name } } }').length).toBeGreaterThan(0);
  });

  it('refuses a document over the token limit at parse time', () => {
    const g = guard({ tokens: 20 });
    expect(() => g.parse(`{ ${'name '.repeat(30)} }`)).toThrow(expect.objectContaining({ extensions: { code: 'LIMIT_EXCEEDED' } }));
    expect(g.formatForClient({ message: 'Syntax Error: Document contains more that 20 tokens. Parsing aborted.' }).extensions?.code).toBe('LIMIT_EXCEEDED');
  });

  it('hides field suggestions when configured', () => {
    const typo = '{ nmae }';
    expect(guard({ fieldSuggestions: true }).validate(schema, guard().parse(typo))[0]!.message).toMatch(/Did you mean "name"/);
    const hidden = guard({ fieldSuggestions: false });
    const [error] = hidden.validate(schema, hidden.parse(typo));
    expect(error!.message).toBe('Cannot query field "nmae" on type "Query".');
    expect(hidden.formatForClient({ message: 'Unknown argument "frist". Did you mean "first"?' }).message).not.toContain('first');
  });
});
