import { describe, expect, it } from 'vitest';
import { after, AfterHooks } from './after.js';
import type { QueryContext, SearchResult } from './request.js';

const ctx = {} as QueryContext;
const result: SearchResult = { edges: [], pageInfo: { hasNextPage: false }, sources: [] };
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('after hooks', () => {
  it('run after the answer is returned, not before', async () => {
    const hooks = new AfterHooks();
    const seen: string[] = [];
    hooks.add((_c, input) => void seen.push(`hook:${input.keywords}`));
    const handler = after(hooks)(async () => {
      seen.push('answered');
      return result;
    });
    const res = await handler(ctx, { input: { keywords: 'k' } });
    seen.push('returned');
    expect(res).toBe(result);
    await nextTurn();
    expect(seen).toEqual(['answered', 'returned', 'hook:k']);
  });

  it('swallow what a hook throws or rejects with, and still run the others', async () => {
    const hooks = new AfterHooks();
    let ran = 0;
    hooks.add(() => {
      throw new Error('sync boom');
    });
    hooks.add(async () => {
      throw new Error('async boom');
    });
    hooks.add(() => void ran++);
    hooks.schedule(ctx, {}, result);
    await nextTurn();
    await nextTurn();
    expect(ran).toBe(1);
  });

  it('can be removed', async () => {
    const hooks = new AfterHooks();
    let ran = 0;
    const remove = hooks.add(() => void ran++);
    remove();
    hooks.schedule(ctx, {}, result);
    await nextTurn();
    expect(ran).toBe(0);
  });
});
