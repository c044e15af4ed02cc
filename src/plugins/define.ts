// The plugin API: what a domain plugin may declare, and definePlugin, which checks a definition
// when it is made so that a mistake surfaces at startup with the field named. The loader
// (load.ts) checks plain objects the same way; the host (host.ts) wires a plugin in.

import type { DocumentNode } from 'graphql';
import { z } from 'zod';
import type { LogEvent } from '../core/event.js';
import type { Exclusion, SearchInput } from '../query/request.js';
import type { AdapterFactory, Target } from '../query/types.js';
import type { GatewayMapping, Logstore } from '../topology/types.js';

/** A target as plugins see it while planning: a logstore plus the filter its layout implies. */
export interface PlanTarget {
  target: Target;
  /** (app, file) pairs the gateway drops from this target's hits (a more specific logstore serves them). */
  exclude?: Exclusion[];
}

/** What `layout` is given: the logstores of one domain and env that the query reaches. */
export interface LayoutInput {
  domain: string;
  env: string;
  /** The domain's logstores in this env (already cut to the envs the query names). */
  stores: readonly Logstore[];
  /** The apps to search: the query's apps within what the caller may read; undefined means all. */
  apps?: readonly string[];
  /** The files the query names; undefined means all. */
  files?: readonly string[];
}

/**
 * Maps a query's apps and files onto one env of the plugin's domains, replacing the built-in
 * env/app/file rule for them. Each returned target must use one of `input.stores`, and target
 * ids must be unique within the query. `defaultLayout` (the built-in rule) can be called for
 * the cases a plugin does not change.
 */
export type LayoutFn = (input: LayoutInput) => PlanTarget[] | Promise<PlanTarget[]>;

/**
 * Reads one event of the plugin's domains and returns the gateway mapping it records, if any:
 * a gateway line naming the upstream (domain, trace id) and the trace id it issued. One side of
 * the mapping must be one of the plugin's domains. Must be pure and cheap: it runs on every live
 * event of those domains.
 */
export type TraceMapper = (event: LogEvent) => GatewayMapping | undefined;

/**
 * A named parser: the text of one record to the fields it holds, or undefined when the text is
 * not of its kind. Parse rules of the compute core map the fields onto event slots.
 */
export type PluginParser = (text: string) => Record<string, unknown> | undefined;

/** What hooks on the query path are told about the query they run in. */
export interface HookContext {
  /** The name of the plugin whose hook runs. */
  plugin: string;
  /** The caller, as the GraphQL context identified it. */
  user?: string;
  /** The search as asked (domains, apps, keywords, range...). */
  input: Readonly<SearchInput>;
  /** Aborted when the caller goes away; long hooks should stop then. */
  signal?: AbortSignal;
}

export interface PluginHooks {
  /**
   * After planning: receives the targets of the plugin's domains that the caller may read (an
   * empty list when there are none yet) and returns the targets to search there. It may drop
   * targets or add targets of its domains; anything else is refused as a failure of the hook.
   */
  plan?(ctx: HookContext, targets: PlanTarget[]): PlanTarget[] | Promise<PlanTarget[]>;
  /**
   * Before the merge: receives the events the sources of the plugin's domains returned for this
   * page (in the query's order per source) and returns those to keep, annotated if it likes.
   * Return the given objects or copies made with spread (`{ ...e, fields }`): a returned event
   * is matched to its source by a key spread keeps. The same event may be seen on two pages.
   */
  results?(ctx: HookContext, events: LogEvent[]): LogEvent[] | Promise<LogEvent[]>;
  /**
   * Each live event of the plugin's domains before it reaches tail subscribers, on every
   * transport: return it (or an annotated copy of the same domain), or null to drop it.
   */
  event?(event: LogEvent): LogEvent | null;
}

/** A resolver map as @graphql-tools takes it: type name -> field name -> resolver. */
export type ResolverMap = Record<string, unknown>;

export interface PluginDefinition {
  /** Unique among the loaded plugins; lower-case ([a-z0-9._-]). Errors and metrics carry it. */
  name: string;
  /** The domains the plugin speaks for: its hooks, layout and trace mapper see only these. */
  domains: readonly string[];
  /** SDL merged with schema/ at start; a type or field another party defines is a startup error. */
  typeDefs?: string | DocumentNode | ReadonlyArray<string | DocumentNode>;
  /** Resolvers for the fields its SDL adds; errors they throw carry `extensions.plugin`. */
  resolvers?: object;
  /** A custom layout for the plugin's domains (see LayoutFn); at most one plugin per domain. */
  layout?: LayoutFn;
  /** Extracts gateway mappings from events of its domains (searched and live); see TraceMapper. */
  traceMapper?: TraceMapper;
  /** Named parsers the compute core's parse rules can refer to; names are unique across plugins. */
  parsers?: Readonly<Record<string, PluginParser>>;
  /** Extra adapter kinds for `backends:` (`{ kind: factory }`), beside the built-in ones. */
  adapters?: Readonly<Record<string, AdapterFactory>>;
  /** Hooks on the query path and the live tail; each is optional. */
  hooks?: PluginHooks;
}

/** A checked plugin definition. */
export type Plugin = Readonly<PluginDefinition> & { readonly [CHECKED]: true };

/**
 * What a plugin module exports as `default` (or `plugin`): a plugin, or a function of the
 * `options` its config entry gives that returns one.
 */
export type PluginModuleExport = Plugin | PluginDefinition | ((options: Record<string, unknown>) => PluginDefinition | Promise<PluginDefinition>);

const CHECKED = Symbol.for('logfed.plugin.checked');

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const name = z.string().regex(NAME_RE, 'expected a lower-case name ([a-z0-9._-], at most 64 characters)');
const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', `expected ${what}`);
const isDocument = (v: unknown) => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Document';
const isSdl = (v: unknown) => (typeof v === 'string' && v.trim() !== '') || isDocument(v);
const sdl = z.custom<string | DocumentNode | Array<string | DocumentNode>>(
  (v) => isSdl(v) || (Array.isArray(v) && v.length > 0 && v.every(isSdl)),
  'expected SDL text, a parsed document, or a list of them',
);

const definitionSchema = z
  .object({
    name,
    domains: z.array(name).min(1, 'expected at least one domain'),
    typeDefs: sdl.optional(),
    resolvers: z.record(z.custom<object>((v) => typeof v === 'object' && v !== null, 'expected an object of field resolvers')).optional(),
    layout: fn('a function (input) => targets').optional(),
    traceMapper: fn('a function (event) => mapping | undefined').optional(),
    parsers: z.record(name, fn('a function (text) => fields | undefined')).optional(),
    adapters: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected an adapter kind ([a-z0-9-])'), fn('an adapter factory (config) => adapter')).optional(),
    hooks: z
      .object({
        plan: fn('a function (ctx, targets) => targets').optional(),
        results: fn('a function (ctx, events) => events').optional(),
        event: fn('a function (event) => event | null').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Thrown for a definition that does not hold; `problems` has one line per field. */
export class PluginDefinitionError extends Error {
  constructor(
    readonly plugin: string | undefined,
    readonly problems: string[],
  ) {
    super(`${plugin ? `plugin "${plugin}"` : 'plugin'} is not valid: ${problems.join('; ')}`);
    this.name = 'PluginDefinitionError';
  }
}

/** Checks a definition and returns it as a Plugin; throws PluginDefinitionError naming each bad field. */
export function checkPlugin(input: unknown): Plugin {
  if (typeof input === 'object' && input !== null && (input as Record<symbol, unknown>)[CHECKED] === true) return input as Plugin;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new PluginDefinitionError(undefined, [`expected a definition object { name, domains, ... }, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`]);
  }
  const parsed = definitionSchema.safeParse(input);
  const nameOf = typeof (input as { name?: unknown })?.name === 'string' ? (input as { name: string }).name : undefined;
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${i.path.length ? i.path.join('.') : '(definition)'}: ${i.message}${i.code === 'invalid_type' ? `, got ${i.received}` : ''}`;
    });
    throw new PluginDefinitionError(nameOf, problems);
  }
  const def = input as PluginDefinition;
  const domains = [...new Set(def.domains)];
  return Object.freeze({ ...def, domains: Object.freeze(domains), [CHECKED]: true as const });
}

/**
 * Defines a domain plugin. Every field but `name` and `domains` is optional; see
 * PluginDefinition. The definition is checked here, so a module with a bad one fails to load.
 *
 * @example
 * export default definePlugin({
 *   name: 'pay-gateway',
 *   domains: ['pay'],
 *   traceMapper: (e) => parseRoute(e.message, e.domain),
 * });
 */
export function definePlugin(definition: PluginDefinition): Plugin {
  return checkPlugin(definition);
}
