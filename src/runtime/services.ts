// Connects the services named in config (MySQL, Redis, Kafka) and falls back to the embedded
// parts for those that are not. A configured service that cannot be reached at start is a
// startup error naming the service and the fix: the gateway does not silently run degraded.

import type { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import { createBus } from '../compute/bus/index.js';
import type { Bus } from '../compute/bus/types.js';
import type { Config } from '../config/schema.js';
import { LogfedError } from '../errors/index.js';
import { checkMysql, createMysqlPool } from '../store/mysql.js';
import { migrate } from '../store/migrate.js';
import { checkRedis, createRedis } from '../store/redis.js';
import { createMysqlTopologyStore } from '../topology/mysql-store.js';
import type { TopologyStore } from '../topology/types.js';
import type { ServiceHealth } from './index.js';

export interface Services {
  mysql?: Pool;
  redis?: Redis;
  bus: Bus;
  /** The MySQL-backed topology store when MySQL is configured. */
  topology?: TopologyStore;
  health(): Promise<ServiceHealth[]>;
  close(): Promise<void>;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

function unreachable(what: string, where: string, key: string, env: string, detail: string): LogfedError {
  return new LogfedError(
    'SERVICE_UNAVAILABLE',
    `${what} at ${where} is not reachable (${detail}): start it (\`npm run services\` starts the local ones) or fix ${key} / ${env}`,
  );
}

export async function connectServices(config: Config): Promise<Services> {
  const opened: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    let mysql: Pool | undefined;
    let topology: TopologyStore | undefined;
    if (config.mysql) {
      mysql = createMysqlPool(config.mysql.url);
      const pool = mysql;
      opened.push(() => pool.end());
      const check = await checkMysql(pool);
      if (!check.ok) throw unreachable('MySQL', redact(config.mysql.url), 'mysql.url', 'LOGFED_MYSQL_URL', check.detail);
      await migrate(pool);
      topology = createMysqlTopologyStore(pool);
    }

    let redis: Redis | undefined;
    if (config.redis) {
      const client = createRedis(config.redis.url);
      redis = client;
      opened.push(async () => client.disconnect());
      const check = await checkRedis(client);
      if (!check.ok) throw unreachable('Redis', redact(config.redis.url), 'redis.url', 'LOGFED_REDIS_URL', check.detail);
    }

    const bus = config.kafka
      ? createBus({ kind: 'kafka', brokers: config.kafka.brokers, clientId: config.kafka.clientId })
      : createBus({ kind: 'memory' });
    opened.push(() => bus.close());
    if (config.kafka) {
      const check = await bus.health();
      if (!check.ok) throw unreachable('Kafka', config.kafka.brokers.join(','), 'kafka.brokers', 'LOGFED_KAFKA_BROKERS', check.detail);
    }

    return {
      mysql,
      redis,
      bus,
      topology,
      async health() {
        const out: ServiceHealth[] = [];
        if (mysql) {
          const c = await checkMysql(mysql);
          out.push({ name: 'mysql', status: c.ok ? 'OK' : 'DOWN', detail: c.detail });
        } else out.push({ name: 'memory-store', status: 'OK', detail: 'topology and state live in memory' });
        if (redis) {
          const c = await checkRedis(redis);
          out.push({ name: 'redis', status: c.ok ? 'OK' : 'DOWN', detail: c.detail });
        }
        const b = await bus.health();
        out.push({ name: config.kafka ? 'kafka' : 'in-process-bus', status: b.ok ? 'OK' : 'DOWN', detail: b.detail });
        // Live events reach the tail through the bus; searches read the backends and do not need it.
        if (config.kafka) {
          out.push(
            b.ok
              ? { name: 'tail', status: 'OK', detail: 'live events arrive through Kafka' }
              : { name: 'tail', status: 'DOWN', detail: 'live tail unavailable while Kafka is down; searches are unaffected' },
          );
        }
        return out;
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
