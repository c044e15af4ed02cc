// Finds what two parties both claim before anything is merged: a type, field, enum value or
// directive defined twice (plugins against each other and against the base schema in schema/),
// a resolver for a field its plugin does not own, an adapter kind, a parser name, or the layout
// of a domain. @graphql-tools would merge most of these silently, so they are checked here and
// reported together as one startup error naming both parties and the element.

import { GraphQLScalarType, Kind, parse, type DefinitionNode, type DocumentNode } from 'graphql';
import { LogfedError } from '../errors/index.js';
import type { Plugin } from './define.js';

export const BASE_SCHEMA = 'base schema';
const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

export interface SchemaPart {
  /** `base schema`, or `plugin "orders"`. */
  owner: string;
  typeDefs: ReadonlyArray<string | DocumentNode>;
}

export const ownerOf = (plugin: Pick<Plugin, 'name'>) => `plugin "${plugin.name}"`;

export function typeDefsOf(plugin: Pick<Plugin, 'typeDefs'>): Array<string | DocumentNode> {
  const t = plugin.typeDefs;
  return t === undefined ? [] : Array.isArray(t) ? [...t] : [t as string | DocumentNode];
}

/** Element -> the owner that defined it first. */
type Claims = Map<string, string>;

function claim(claims: Claims, conflicts: string[], element: string, owner: string): void {
  const first = claims.get(element);
  if (first === undefined) claims.set(element, owner);
  else if (first !== owner) conflicts.push(`${element} is defined by ${first} and by ${owner}`);
}

/** The elements one SDL definition claims: its type name (root types are shared), fields, values. */
function elementsOf(def: DefinitionNode): string[] {
  switch (def.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
    case Kind.INTERFACE_TYPE_EXTENSION:
    case Kind.INPUT_OBJECT_TYPE_EXTENSION: {
      const type = def.name.value;
      const own = def.kind.endsWith('Definition') && !ROOT_TYPES.has(type) ? [type] : [];
      return [...own, ...(def.fields ?? []).map((f) => `${type}.${f.name.value}`)];
    }
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_EXTENSION: {
      const type = def.name.value;
      const own = def.kind === Kind.ENUM_TYPE_DEFINITION ? [type] : [];
      return [...own, ...(def.values ?? []).map((v) => `${type}.${v.name.value}`)];
    }
    case Kind.UNION_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_DEFINITION:
      return [def.name.value];
    case Kind.DIRECTIVE_DEFINITION:
      return [`@${def.name.value}`];
    case Kind.SCHEMA_DEFINITION:
    case Kind.SCHEMA_EXTENSION:
      return ['schema'];
    default:
      return [];
  }
}

function documentOf(part: SchemaPart, sdl: string | DocumentNode): DocumentNode {
  if (typeof sdl !== 'string') return sdl;
  try {
    return parse(sdl);
  } catch (err) {
    throw new LogfedError('BAD_CONFIG', `${part.owner}: its SDL does not parse: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Conflicts among SDL parts, in the order found; also who claimed each element first and what
 * each owner defines, for the resolver checks.
 */
export function schemaConflicts(parts: readonly SchemaPart[]): { conflicts: string[]; claims: Claims; owned: Map<string, Set<string>> } {
  const claims: Claims = new Map();
  const owned = new Map<string, Set<string>>();
  const conflicts: string[] = [];
  for (const part of parts) {
    const mine = new Set<string>();
    for (const sdl of part.typeDefs) {
      for (const def of documentOf(part, sdl).definitions) for (const element of elementsOf(def)) mine.add(element);
    }
    for (const element of mine) claim(claims, conflicts, element, part.owner);
    owned.set(part.owner, mine);
  }
  return { conflicts, claims, owned };
}

/**
 * A plugin's resolvers may only serve what its own SDL defines: a resolver for another party's
 * field would silently replace it. (An element both define is reported once, as an SDL conflict.)
 */
function resolverConflicts(plugin: Plugin, claims: Claims, mine: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const me = ownerOf(plugin);
  const check = (element: string) => {
    if (!mine.has(element)) out.push(`${me} has a resolver for ${element}, which ${claims.get(element) ?? 'no schema'} defines`);
  };
  for (const [type, fields] of Object.entries(plugin.resolvers ?? {})) {
    if (fields instanceof GraphQLScalarType || typeof fields !== 'object' || fields === null) check(type);
    else for (const field of Object.keys(fields)) check(field.startsWith('__') ? type : `${type}.${field}`);
  }
  return out;
}

export interface CheckOptions {
  /** SDL of the base schema (schema/*.graphql). */
  baseTypeDefs: ReadonlyArray<string | DocumentNode>;
  /** Adapter kinds built in (file, mysql...). */
  adapterKinds?: readonly string[];
  /** Parser names the compute core has built in. */
  parserNames?: readonly string[];
}

export const BUILTIN_PARSERS = ['regex', 'delimiter', 'json', 'logback'] as const;

/** Every conflict among the plugins and with what is built in; empty when they fit together. */
export function findConflicts(plugins: readonly Plugin[], opts: CheckOptions): string[] {
  const parts: SchemaPart[] = [{ owner: BASE_SCHEMA, typeDefs: opts.baseTypeDefs }, ...plugins.map((p) => ({ owner: ownerOf(p), typeDefs: typeDefsOf(p) }))];
  const { conflicts, claims, owned } = schemaConflicts(parts);
  for (const p of plugins) conflicts.push(...resolverConflicts(p, claims, owned.get(ownerOf(p))!));
  claimAll(conflicts, 'adapter kind', opts.adapterKinds ?? [], plugins, (p) => Object.keys(p.adapters ?? {}));
  claimAll(conflicts, 'parser', opts.parserNames ?? BUILTIN_PARSERS, plugins, (p) => Object.keys(p.parsers ?? {}));
  claimAll(conflicts, 'layout of domain', [], plugins, (p) => (p.layout ? p.domains : []));
  return conflicts;
}

function claimAll(conflicts: string[], what: string, builtIn: readonly string[], plugins: readonly Plugin[], keysOf: (p: Plugin) => readonly string[]): void {
  const claims: Claims = new Map(builtIn.map((k) => [`${what} ${k}`, 'Logfed itself (built in)']));
  for (const p of plugins) for (const key of keysOf(p)) claim(claims, conflicts, `${what} ${key}`, ownerOf(p));
}

/** Throws one BAD_CONFIG error listing every conflict. */
export function checkPlugins(plugins: readonly Plugin[], opts: CheckOptions): void {
  const conflicts = findConflicts(plugins, opts);
  if (conflicts.length === 0) return;
  throw new LogfedError('BAD_CONFIG', `plugins conflict:\n  ${conflicts.join('\n  ')}`, { details: { conflicts } });
}
