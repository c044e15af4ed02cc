// The loaded plugins wired into one runtime: what each part of the gateway asks of them — the
// query chain's extra steps, adapter kinds, named parsers, trace mapping of events and the live
// tail's hub. The runtime builds it once at start (runtime/index.ts) and keeps it as `plugins`.

import type { LogEvent } from '../core/event.js';
import type { EngineSteps } from '../query/chain.js';
import type { AdapterFactory } from '../query/types.js';
import type { TailHub } from '../pubsub/tail-hub.js';
import type { Plugin, PluginParser } from './define.js';
import { createEventHooks, PluginTailHub } from './live.js';
import type { LoadedPlugin } from './load.js';
import { planStep, resultsStep } from './query.js';
import { createTraceMapping, type RecordMapping } from './trace-mappers.js';

export interface PluginHost {
  readonly loaded: readonly LoadedPlugin[];
  readonly plugins: readonly Plugin[];
  /** The query chain's plugin steps, for createQueryEngine. */
  readonly steps: EngineSteps;
  /** Adapter kinds the plugins add, for the adapter registry. */
  readonly adapters: Readonly<Record<string, AdapterFactory>>;
  /** Named parsers for the compute core's parse rules, with the plugin each came from. */
  readonly parsers: ReadonlyMap<string, { plugin: string; parse: PluginParser }>;
  /** Runs the trace mappers over events already written (search results, files at start). */
  observe(event: LogEvent): void;
  /** Resolves when the gateway mappings found so far are recorded. */
  mappingsRecorded(): Promise<void>;
  /** A tail hub whose events pass the trace mappers and the event hooks before subscribers. */
  createTailHub(capacity?: number): TailHub;
}

export function createPluginHost(loaded: readonly LoadedPlugin[], deps: { recordMapping: RecordMapping }): PluginHost {
  const plugins = loaded.map((l) => l.plugin);
  const mapping = createTraceMapping(plugins, deps.recordMapping);
  const eventHooks = createEventHooks(plugins);
  const parsers = new Map(plugins.flatMap((p) => Object.entries(p.parsers ?? {}).map(([name, parse]) => [name, { plugin: p.name, parse }] as const)));
  return {
    loaded,
    plugins,
    steps: { afterPlan: [planStep(plugins)], beforeMerge: [resultsStep(plugins)] },
    adapters: Object.assign({}, ...plugins.map((p) => p.adapters ?? {})) as Record<string, AdapterFactory>,
    parsers,
    observe: mapping.observe,
    mappingsRecorded: mapping.settled,
    createTailHub: (capacity) =>
      new PluginTailHub((event) => {
        mapping.observe(event);
        return eventHooks(event);
      }, capacity),
  };
}
