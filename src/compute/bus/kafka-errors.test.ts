import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { LogfedError } from '../../errors/index.js';
import { kafkaError } from './kafka-errors.js';

const ctx = { brokers: ['10.0.0.1:9092', '10.0.0.2:9092'], action: 'produce to logs.raw', topic: 'logs.raw' };
const protocol = (type: string, retriable: boolean) => new KafkaJSProtocolError({ type, code: 0, retriable, message: `broker said ${type}` } as never);
const retried = (cause: Error) => new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 } as never);

describe('kafkaError', () => {
  it('names the brokers and the fix when they cannot be reached, even under retry wrappers', () => {
    const err = kafkaError(retried(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 10.0.0.1:9092', { broker: '10.0.0.1:9092', code: 'ECONNREFUSED' } as never)), ctx);
    expect(err).toBeInstanceOf(LogfedError);
    expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    expect(err.message).toContain('10.0.0.1:9092,10.0.0.2:9092');
    expect(err.message).toContain('npm run services');
  });

  it('says how to create a missing topic', () => {
    const err = kafkaError(retried(protocol('UNKNOWN_TOPIC_OR_PARTITION', true)), ctx);
    expect(err).toMatchObject({ code: 'NOT_FOUND', retriable: false });
    expect(err.message).toContain("ensureTopics([{ topic: 'logs.raw' }])");
  });

  it('marks a commit refused by a moving group as retriable', () => {
    expect(kafkaError(protocol('REBALANCE_IN_PROGRESS', true), ctx)).toMatchObject({ code: 'CONFLICT', retriable: true });
    expect(kafkaError(protocol('ILLEGAL_GENERATION', false), ctx)).toMatchObject({ code: 'CONFLICT', retriable: true });
  });

  it('maps timeouts and keeps other broker errors with their retriability', () => {
    expect(kafkaError(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'), ctx)).toMatchObject({ code: 'TIMEOUT' });
    expect(kafkaError(protocol('MESSAGE_TOO_LARGE', false), ctx)).toMatchObject({ code: 'BACKEND_ERROR', retriable: false });
    expect(kafkaError(protocol('NOT_ENOUGH_REPLICAS', true), ctx)).toMatchObject({ code: 'BACKEND_ERROR', retriable: true });
  });

  it('passes a LogfedError through and wraps anything else', () => {
    const own = new LogfedError('BAD_USER_INPUT', 'x');
    expect(kafkaError(own, ctx)).toBe(own);
    expect(kafkaError('weird', ctx)).toMatchObject({ code: 'BACKEND_ERROR' });
  });
});
