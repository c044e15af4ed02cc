import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { backoffDelay, retry, sleep } from './retry.js';

const opts = { retries: 3, baseMs: 100, maxMs: 1000, random: () => 0.5 };

describe('retry', () => {
  afterEach(() => vi.useRealTimers());

  it('retries a retriable failure and returns the later success', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const p = retry(async () => {
      if (++calls < 3) throw new LogfedError('BACKEND_UNAVAILABLE', 'down');
      return 'ok';
    }, opts);
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry what is not retriable', async () => {
    let calls = 0;
    const err = new LogfedError('BAD_USER_INPUT', 'no');
    await expect(
      retry(async () => {
        calls++;
        throw err;
      }, opts),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const p = retry(async () => {
      throw new LogfedError('TIMEOUT', `t${++calls}`);
    }, opts);
    const caught = p.catch((e: Error) => e.message);
    await vi.runAllTimersAsync();
    expect(await caught).toBe('t4');
  });

  it('pauses with jittered exponential backoff, capped', async () => {
    vi.useFakeTimers();
    const delays: number[] = [];
    const p = retry(
      async () => {
        throw new LogfedError('SERVICE_UNAVAILABLE', 'busy');
      },
      { retries: 5, baseMs: 100, maxMs: 500, random: () => 0.999, onRetry: (_e, _a, d) => delays.push(d) },
    ).catch(() => undefined);
    await vi.runAllTimersAsync();
    await p;
    expect(delays).toEqual([99, 199, 399, 499, 499]);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0);
  });

  it('stops waiting and rejects with the reason once the signal aborts', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        throw new LogfedError('BACKEND_UNAVAILABLE', 'down');
      },
      { ...opts, signal: ac.signal },
    );
    const outcome = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    ac.abort(new Error('stop'));
    expect(((await outcome) as Error).message).toBe('stop');
    expect(calls).toBe(1);
  });

  it('refuses nonsense options by name', async () => {
    await expect(retry(async () => 1, { ...opts, retries: -1 })).rejects.toThrow(/retries/);
  });

  it('sleep rejects at once on an aborted signal', async () => {
    await expect(sleep(1000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});
