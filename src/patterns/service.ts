// Puts pattern mining and exception scanning together for the runtime: the store (MySQL when
// configured, else memory), the stage restored from the saved miners, the subscription feed,
// the scanner (its ledger and lock in Redis when configured), and the timers that flush,
// snapshot, prune and scan. `process` is the one entry for a processed event.

import type { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import type { AlertEvent } from '../compute/alerts/index.js';
import type { LogEvent } from '../core/event.js';
import { log } from '../observe/logger.js';
import type { TailHub } from '../pubsub/tail-hub.js';
import { createMemoryLedger } from '../scanner/ledger.js';
import { createMemoryLock, createRedisLock } from '../scanner/lock.js';
import { createRedisLedger } from '../scanner/redis-ledger.js';
import { createExceptionScanner, type ExceptionScanner } from '../scanner/scanner.js';
import type { PatternsConfig } from './config.js';
import { createPatternFeed, type PatternFeed } from './feed.js';
import { createMemoryPatternStore } from './memory-store.js';
import { mineTailEvents } from './mine-tail.js';
import { createMysqlPatternStore } from './mysql-store.js';
import { createPatternStage, type PatternStage } from './stage.js';
import type { PatternStore } from './store.js';

export interface PatternService {
  stage: PatternStage;
  store: PatternStore;
  feed: PatternFeed;
  scanner?: ExceptionScanner;
  /** Mines one processed event and counts it for the scanner; returns it with `fields.pattern`. */
  process(event: LogEvent): LogEvent;
  close(): Promise<void>;
}

export interface PatternServiceOptions {
  config: PatternsConfig;
  mysql?: Pool;
  redis?: Redis;
  /** The live tail: what this process publishes there is mined before subscribers see it. */
  tail: TailHub;
  /** Scanner findings as alert records; logged when absent. */
  onAlert?: (alert: AlertEvent) => void;
  clock?: () => number;
}

const logger = log.child({ component: 'patterns' });

function every(ms: number, what: string, work: () => Promise<unknown>): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch((err) => logger.warn({ err }, `patterns: ${what} failed`))
      .finally(() => (running = false));
  }, ms);
  timer.unref();
  return timer;
}

export async function startPatternService(opts: PatternServiceOptions): Promise<PatternService> {
  const { config } = opts;
  const clock = opts.clock ?? Date.now;
  const store = opts.mysql ? createMysqlPatternStore(opts.mysql, { maxSamples: config.maxSamples }) : createMemoryPatternStore({ maxSamples: config.maxSamples });
  const stage = createPatternStage({
    store,
    clock,
    miner: { maxPatterns: config.maxPatternsPerApp },
    maxSamples: config.maxSamples,
    bucketMs: config.bucketSeconds * 1000,
    historyRetentionMs: Math.round(config.historyDays * 86_400_000),
  });
  const restored = await stage.restore();
  const feed = createPatternFeed();
  stage.onUpdates((updates) => feed.publish(updates));

  const sc = config.scanner;
  const intervalMs = sc.intervalMinutes * 60_000;
  const scanner = sc.enabled
    ? createExceptionScanner({
        ledger: opts.redis
          ? createRedisLedger(opts.redis, { keyPrefix: sc.keyPrefix, windowTtlMs: (sc.baselineWindows + 3) * intervalMs })
          : createMemoryLedger({ keepWindows: sc.baselineWindows + 2 }),
        lock: opts.redis ? createRedisLock(opts.redis, { key: `${sc.keyPrefix}lock`, ttlMs: 60_000 }) : createMemoryLock(),
        clock,
        intervalMs,
        baselineWindows: sc.baselineWindows,
        surgeFactor: sc.surgeFactor,
        minCount: sc.minCount,
        newMinCount: sc.newMinCount,
        levels: sc.levels,
        onAlert: opts.onAlert ?? ((alert) => logger.info({ alert: { labels: alert.labels, at: alert.at } }, alert.message)),
      })
    : undefined;

  // Not named `process`: that would hide Node's global in this scope.
  const processEvent = (event: LogEvent): LogEvent => {
    const mined = stage.push(event);
    scanner?.observe(mined);
    return mined;
  };
  const stopMining = mineTailEvents(opts.tail, processEvent);
  const timers = [
    every(config.flushMs, 'flush', () => stage.flush()),
    every(config.snapshotSeconds * 1000, 'snapshot', () => stage.snapshot()),
    every(3_600_000, 'history pruning', () => stage.prune()),
  ];
  // Often enough that a window is scanned soon after its grace period (30 s) ends.
  if (scanner) timers.push(every(Math.min(15_000, intervalMs / 4), 'exception scan', () => scanner.scan()));
  logger.info({ restored, store: opts.mysql ? 'mysql' : 'memory', scanner: scanner ? (opts.redis ? 'redis' : 'memory') : 'off' }, 'patterns: mining the live tail');

  let closing: Promise<void> | undefined;
  return {
    stage,
    store,
    feed,
    scanner,
    process: processEvent,
    close() {
      closing ??= (async () => {
        stopMining();
        for (const t of timers) clearInterval(t);
        feed.close();
        await stage.flush();
        await stage.snapshot();
        await scanner?.flush();
      })();
      return closing;
    },
  };
}
