import { graphql, parse, subscribe, type ExecutionResult } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { badInput, LogfedError } from '../errors/index.js';
import { isolateResolvers, PLUGIN_ERROR, runHook } from './isolate.js';

const typeDefs = 'type Query { ok: Int, boom: Int, slow: Int, bad: Int, internal: Int }\ntype Subscription { ticks: Int }';

const schema = makeExecutableSchema({
  typeDefs,
  resolvers: isolateResolvers('orders', {
    Query: {
      ok: () => 1,
      boom: () => {
        throw new Error('kaput');
      },
      slow: async () => Promise.reject(new Error('later kaput')),
      bad: () => {
        throw badInput('orderId is not an order number');
      },
      internal: () => {
        throw new LogfedError('INTERNAL', 'secret detail');
      },
    },
    Subscription: {
      ticks: {
        subscribe: async function* () {
          yield { ticks: 1 };
          throw new Error('stream broke');
        },
      },
    },
  }) as never,
});

describe('isolated resolvers', () => {
  it('leave answers alone and name the plugin in errors, sync or async', async () => {
    const res = await graphql({ schema, source: '{ ok boom slow bad internal }' });
    expect(res.data).toEqual({ ok: 1, boom: null, slow: null, bad: null, internal: null });
    const byPath = Object.fromEntries(res.errors!.map((e) => [e.path![0], { message: e.message, ext: e.extensions }]));
    expect(byPath.boom).toEqual({ message: 'plugin "orders" failed in Query.boom: kaput', ext: { code: PLUGIN_ERROR, plugin: 'orders' } });
    expect(byPath.slow!.message).toBe('plugin "orders" failed in Query.slow: later kaput');
    expect(byPath.bad!.ext).toEqual({ code: 'BAD_USER_INPUT', plugin: 'orders' });
    expect(byPath.internal!.ext).toEqual({ code: PLUGIN_ERROR, plugin: 'orders' });
  });

  it('name the plugin when a subscription stream fails', async () => {
    const stream = (await subscribe({ schema, document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
    expect((await stream.next()).value).toEqual({ data: { ticks: 1 } });
    const next = await stream.next().then(
      (r) => r.value as ExecutionResult,
      (err: Error) => ({ errors: [err] }) as unknown as ExecutionResult,
    );
    expect(next.errors![0]!.message).toBe('plugin "orders" failed in Subscription.ticks: stream broke');
    expect(next.errors![0]!.extensions).toEqual({ code: PLUGIN_ERROR, plugin: 'orders' });
  });
});

describe('runHook', () => {
  it('passes on a value, a rejection, or a throw', async () => {
    await expect(runHook(() => 7, 'x')).resolves.toBe(7);
    await expect(runHook(async () => Promise.reject(new Error('no')), 'x')).rejects.toThrow('no');
    await expect(
      runHook(() => {
        throw new Error('thrown');
      }, 'x'),
    ).rejects.toThrow('thrown');
  });

  it('rejects a hook that never answers', async () => {
    await expect(runHook(() => new Promise(() => undefined), 'plan hook', 1)).rejects.toThrow('plan hook did not answer within 1 ms');
  });
});
