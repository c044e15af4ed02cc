// The public entry for plugin authors: definePlugin and the types its fields take, the built-in
// layout to fall back on, and the API a plugin's resolvers read logs through. See docs/plugins.md.

import { planEnvGroup } from '../query/plan.js';
import type { LayoutInput, PlanTarget } from './define.js';

export { definePlugin, PluginDefinitionError } from './define.js';
export type {
  HookContext,
  LayoutFn,
  LayoutInput,
  PlanTarget,
  Plugin,
  PluginDefinition,
  PluginHooks,
  PluginModuleExport,
  PluginParser,
  ResolverMap,
  TraceMapper,
} from './define.js';
export { logfed, type LogfedApi } from './api.js';
export { readOptions } from './options.js';
export { PLUGIN_ERROR } from './isolate.js';
export type { LogEvent } from '../core/event.js';
export type { GatewayMapping, Logstore } from '../topology/types.js';
export type { Adapter, AdapterFactory, Target } from '../query/types.js';
export type { SearchInput, SearchResult } from '../query/request.js';
export type { TraceHop, TraceResult } from '../trace/search.js';
export type { GraphQLContext } from '../server/context.js';

/** The built-in env/app/file rule for one domain and env, for a layout to fall back on. */
export function defaultLayout(input: LayoutInput): PlanTarget[] {
  return planEnvGroup(input.domain, [...input.stores], input.apps ? new Set(input.apps) : undefined, input.files ? [...input.files] : undefined);
}
