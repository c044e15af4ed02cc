// The runtime holds every long-lived part of a gateway process: plugins, services, topology,
// adapters, the live-tail hub (shared with other replicas through Redis), the compute tasks and
// the demo. The server reads it through the GraphQL context;
// shutdown closes it in reverse order of creation.

import { createAffinity, createAffinityStore, type Affinity } from '../affinity/hooks.js';
import { createMemoryResultStore, createMysqlResultStore, createResults, type Results } from '../compute/results/index.js';
import { createCompute, type TaskManager } from '../compute/tasks/index.js';
import type { Config } from '../config/schema.js';
import { startDemo, type DemoHandle } from '../demo/run.js';
import { log } from '../observe/logger.js';
import { DEFAULT_TABLE_PREFIX } from '../store/migrate.js';
import { startPatternService, type PatternService } from '../patterns/service.js';
import { checkPlugins } from '../plugins/conflicts.js';
import { createPluginHost, type PluginHost } from '../plugins/host.js';
import { loadPlugins } from '../plugins/load.js';
import { startTailFanout } from '../pubsub/redis-fanout.js';
import type { TailHub } from '../pubsub/tail-hub.js';
import { createQueryEngine, type QueryEngine } from '../query/chain.js';
import { backfillFromResult } from '../topology/backfill.js';
import { createCachedTopologyStore } from '../topology/cached-store.js';
import { createMemoryTopologyStore } from '../topology/memory-store.js';
import type { TopologyStore } from '../topology/types.js';
import { loadTypeDefs } from '../server/schema.js';
import { BUILTIN_ADAPTERS, createAdapterRegistry, type AdapterRegistry } from './adapters.js';
import { createSecurity, type Security } from './security.js';
import { connectServices, type Services } from './services.js';

export type HealthStatus = 'OK' | 'DEGRADED' | 'DOWN';

export interface ServiceHealth {
  name: string;
  status: HealthStatus;
  detail?: string;
}

export interface Runtime {
  config: Config;
  /** True when state lives in memory (no MySQL configured). */
  embedded: boolean;
  services: Services;
  topology: TopologyStore;
  adapters: AdapterRegistry;
  engine: QueryEngine;
  /** Ranking and training of the affinity networks; absent when affinity.enabled is false. */
  affinity?: Affinity;
  tail: TailHub;
  /** Live pattern mining and exception scanning; absent when patterns.enabled is false. */
  patterns?: PatternService;
  /** The compute tasks and their rule store. */
  compute: TaskManager;
  /** Metric rows and alerts of the compute tasks and the exception scanner: stored and live. */
  results: Results;
  /** Authentication, and the scope check and masking every event passes on its way out. */
  security: Security;
  /** The loaded domain plugins; buildSchema takes their SDL and resolvers from here. */
  plugins: PluginHost;
  health(): Promise<{ status: HealthStatus; embedded: boolean; services: ServiceHealth[] }>;
  close(): Promise<void>;
}

export async function createRuntime(config: Config): Promise<Runtime> {
  // Plugins first: one that does not load or conflicts stops the start before anything is opened.
  const loaded = await loadPlugins(config.plugins);
  checkPlugins(
    loaded.map((l) => l.plugin),
    { baseTypeDefs: loadTypeDefs(), adapterKinds: Object.keys(BUILTIN_ADAPTERS) },
  );
  const services = await connectServices(config);
  const closers: Array<() => Promise<void> | void> = [() => services.close()];
  try {
    // While MySQL is down, reads are served from the last good answers; writes fail clearly.
    const topology = services.topology ? createCachedTopologyStore(services.topology, { name: 'the topology store (MySQL)' }) : createMemoryTopologyStore();
    closers.unshift(() => topology.close());
    await seedTopology(topology, config);

    const security = await createSecurity(config, services, topology);

    const plugins = createPluginHost(loaded, { recordMapping: (m) => topology.addGatewayMapping(m) });
    const adapters = createAdapterRegistry(config.backends, { ...BUILTIN_ADAPTERS, ...plugins.adapters });
    closers.unshift(() => adapters.close());

    const affinity = config.affinity.enabled
      ? createAffinity({
          store: createAffinityStore(config.affinity, services.redis),
          batchSize: config.affinity.batchSize,
          userTop: config.affinity.userTop,
        })
      : undefined;
    if (affinity && config.affinity.batchSize > config.query.perBackendConcurrency) {
      log.warn(
        { batchSize: config.affinity.batchSize, perBackendConcurrency: config.query.perBackendConcurrency },
        'affinity.batchSize is above query.perBackendConcurrency: a batch whose logstores share one backend is searched in several waves, so its first page waits longer',
      );
    }
    const engine = createQueryEngine({
      ...(affinity ? { rank: affinity.rank } : {}),
      limits: {
        maxSpanMs: config.query.maxSpanHours * 3600_000,
        defaultSpanMs: config.query.defaultSpanMinutes * 60_000,
        maxFirst: config.query.maxPageSize,
        targetTimeoutMs: config.query.targetTimeoutMs,
      },
      concurrency: config.query.globalConcurrency,
      backendConcurrency: config.query.perBackendConcurrency,
      // Egress last: whatever plugins did, events leave scoped and masked.
      steps: { ...plugins.steps, beforeMerge: [...(plugins.steps.beforeMerge ?? []), security.egress] },
    });
    engine.onAnswered(async (_ctx, _input, result) => {
      await backfillFromResult(topology, result);
    });
    if (affinity) engine.onAnswered(affinity.onAnswered);
    engine.onAnswered((_ctx, _input, result) => {
      for (const edge of result.edges) plugins.observe(edge.event);
    });

    const tail = plugins.createTailHub(config.tail.capacity);
    closers.unshift(() => tail.close());
    if (services.redis) {
      const fanout = await startTailFanout(tail, { redis: services.redis, ...config.tail });
      closers.unshift(() => fanout.close());
    }

    // Metric rows and alerts live beside the rules: in MySQL when there is one, else in memory.
    const results = createResults(services.mysql ? createMysqlResultStore(services.mysql, { tablePrefix: DEFAULT_TABLE_PREFIX }) : createMemoryResultStore());
    const recordFinding = (alert: Parameters<Results['record']>[1][number]) => void results.record([], [alert]).catch((err) => log.warn({ err }, 'recording an exception finding failed'));

    // Before anything publishes: every processed event is mined (src/patterns/mine-tail.ts).
    const patterns = config.patterns.enabled
      ? await startPatternService({ config: config.patterns, mysql: services.mysql, redis: services.redis, tail, onAlert: recordFinding })
      : undefined;
    if (patterns) closers.unshift(() => patterns.close());

    const compute = await createCompute(config.compute, {
      bus: services.bus,
      mysql: services.mysql,
      results,
      parsers: new Map([...plugins.parsers].map(([name, p]) => [name, p.parse])),
      tail: (events) => {
        for (const e of events) tail.publish(e);
      },
    });
    closers.unshift(() => compute.close());

    let demo: DemoHandle | undefined;
    if (config.demo.enabled && config.demo.dir) {
      demo = await startDemo({
        dir: config.demo.dir,
        linesPerSecond: config.demo.linesPerSecond,
        bus: services.bus,
        topic: config.demo.topic,
        onPastEvent: (e) => plugins.observe(e),
        // Gateway mappings are learned as lines become searchable, not only once the tail has them.
        onWritten: (e) => plugins.observe(e),
      });
      closers.unshift(() => demo!.stop());
      await plugins.mappingsRecorded();
    }
    // After the demo, whose task reads the topic the demo makes.
    await compute.start();

    return {
      config,
      embedded: !config.mysql,
      services,
      topology,
      adapters,
      engine,
      affinity,
      tail,
      patterns,
      compute,
      results,
      security,
      plugins,
      async health() {
        const checks = await services.health();
        const status: HealthStatus = checks.some((c) => c.status === 'DOWN')
          ? 'DEGRADED'
          : checks.some((c) => c.status === 'DEGRADED')
            ? 'DEGRADED'
            : 'OK';
        return { status, embedded: !config.mysql, services: checks };
      },
      async close() {
        for (const close of closers) {
          try {
            await close();
          } catch (err) {
            log.warn({ err }, 'shutdown: closing a part failed');
          }
        }
      },
    };
  } catch (err) {
    for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
    throw err;
  }
}

/** Writes the topology named in config into the store: config is the source of truth at start. */
async function seedTopology(store: TopologyStore, config: Config): Promise<void> {
  for (const d of config.topology.domains) await store.upsertDomain(d);
  for (const ls of config.topology.logstores) await store.upsertLogstore(ls);
  for (const m of config.topology.gatewayMappings) await store.addGatewayMapping(m);
}
