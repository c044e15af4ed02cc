// DateTime travels as ISO-8601 (UTC, milliseconds) and lives inside as epoch milliseconds.

import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function parseDateTime(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string') {
    if (ISO.test(value)) {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return ms;
    }
    if (/^\d{10,16}$/.test(value)) return Number(value);
  }
  throw new GraphQLError(
    `DateTime expects ISO-8601 with a zone (2026-11-21T08:00:00Z) or epoch milliseconds, got ${JSON.stringify(value)}`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize(value) {
    const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number(value);
    if (!Number.isFinite(ms)) throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
    return new Date(ms).toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast: ValueNode) {
    if (ast.kind === Kind.STRING) return parseDateTime(ast.value);
    if (ast.kind === Kind.INT) return parseDateTime(Number(ast.value));
    throw new GraphQLError('DateTime expects a string or an integer literal', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});

function literalToJson(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError(`JSON cannot represent ${ast.kind}`);
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literalToJson,
});
