// The "after" step of the query path: hooks that see each answered search off the request path
// (affinity training, structure back-fill). They run on a later turn of the event loop, so they
// never delay an answer; whatever they throw or reject with is logged and swallowed.

import type { LogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import type { Middleware, QueryContext, SearchInput, SearchResult } from './request.js';

export type AnsweredHook = (ctx: QueryContext, input: SearchInput, result: SearchResult) => void | Promise<void>;

const logger = log.child({ component: 'query-after' });

export class AfterHooks {
  private readonly hooks = new Set<AnsweredHook>();

  /** Adds a hook; returns the function that removes it. */
  add(hook: AnsweredHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Schedules every hook for a later turn; returns at once. */
  schedule(ctx: QueryContext, input: SearchInput, result: SearchResult): void {
    if (this.hooks.size === 0) return;
    const hooks = [...this.hooks];
    setImmediate(() => {
      for (const hook of hooks) {
        try {
          Promise.resolve(hook(ctx, input, result)).catch((err: unknown) => failed(err, hook));
        } catch (err) {
          failed(err, hook);
        }
      }
    });
  }
}

function failed(err: unknown, hook: AnsweredHook): void {
  logger.warn({ err: err as LogfedError, hook: hook.name || 'anonymous' }, 'after-query hook failed');
}

export const after =
  (hooks: AfterHooks): Middleware =>
  (next) =>
  async (ctx, req) => {
    const result = await next(ctx, req);
    hooks.schedule(ctx, req.input, result);
    return result;
  };
