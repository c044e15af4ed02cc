// Maps kafkajs errors to Logfed's codes through one table, and turns the common failures into
// one message that names the brokers and the fix. Used by every Kafka call in kafka*.ts.

import { LogfedError, type ErrorCode } from '../../errors/index.js';

const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSGroupCoordinatorNotFound',
]);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT']);
const TIMEOUTS = new Set(['KafkaJSRequestTimeoutError', 'KafkaJSTimeout', 'KafkaJSLockTimeout']);
// The group moved on (rebalance, restart): the commit is refused and its records will be replayed.
const GROUP_MOVED = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

interface KafkaErrorShape extends Error {
  type?: string;
  code?: string;
  retriable?: boolean;
  cause?: unknown;
}

/** The error and its causes, outermost first (kafkajs wraps retries and non-retriable errors). */
function chainOf(err: unknown): KafkaErrorShape[] {
  const out: KafkaErrorShape[] = [];
  let cur = err;
  while (cur instanceof Error && out.length < 8) {
    out.push(cur as KafkaErrorShape);
    cur = (cur as KafkaErrorShape).cause;
  }
  return out;
}

export interface KafkaErrorContext {
  brokers: readonly string[];
  /** What was being done, e.g. "produce to logs.raw". */
  action: string;
  topic?: string;
}

export function kafkaError(err: unknown, ctx: KafkaErrorContext): LogfedError {
  if (err instanceof LogfedError) return err;
  const chain = chainOf(err);
  if (chain.length === 0) return new LogfedError('BACKEND_ERROR', `${ctx.action} failed: ${String(err)}`);
  const root = chain[chain.length - 1]!;
  const at = `Kafka at ${ctx.brokers.join(',')}`;
  const make = (code: ErrorCode, message: string, retriable?: boolean) =>
    new LogfedError(code, message, { cause: err, retriable, details: { brokers: ctx.brokers, topic: ctx.topic, kafka: root.type ?? root.name } });

  if (chain.some((e) => UNREACHABLE.has(e.name) || (e.code !== undefined && SOCKET_CODES.has(e.code)))) {
    return make('BACKEND_UNAVAILABLE', `${ctx.action} failed: ${at} is unreachable (${root.message}): start it with \`npm run services\`, or fix the bus brokers setting`);
  }
  if (chain.some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION')) {
    const topic = ctx.topic ?? 'the topic';
    return make('NOT_FOUND', `${ctx.action} failed: ${topic} does not exist on ${at}: create it with bus.ensureTopics([{ topic: '${topic}' }]) or set autoCreateTopics`, false);
  }
  if (chain.some((e) => e.type !== undefined && GROUP_MOVED.has(e.type))) {
    return make('CONFLICT', `${ctx.action} refused: the consumer group is rebalancing or this member was replaced (${root.type}); the new owner replays from the last commit`, true);
  }
  if (chain.some((e) => TIMEOUTS.has(e.name))) {
    return make('TIMEOUT', `${ctx.action} timed out on ${at}: ${root.message}`);
  }
  return make('BACKEND_ERROR', `${ctx.action} failed on ${at}: ${root.message}`, root.retriable === true);
}
