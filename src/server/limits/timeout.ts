// The query timeout: each operation's context carries a deadline signal that aborts after
// `limits.timeoutSeconds` (queries and mutations only; a subscription lives as long as its
// client). The request's signal includes it, so the engine stops its fan-out; and every root
// field of Query and Mutation is raced against it, so even a resolver that ignores the signal
// answers TIMEOUT on time. The same wrapping serves both transports, since it is in the schema.

import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { LogfedError } from '../../errors/index.js';

export interface Deadline {
  signal: AbortSignal;
  seconds: number;
}

export const timeoutError = (seconds: number) =>
  new LogfedError('TIMEOUT', `the operation did not finish within ${seconds} s (limits.timeoutSeconds); narrow the query or ask for fewer rows`);

const wrapped = new WeakSet<GraphQLSchema>();

/** Wraps the root fields once per schema; the context's `deadline` (when set) bounds each. */
export function applyDeadlines(schema: GraphQLSchema): GraphQLSchema {
  if (wrapped.has(schema)) return schema;
  wrapped.add(schema);
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = bounded(resolve);
    }
  }
  return schema;
}

function bounded(resolve: GraphQLFieldResolver<unknown, { deadline?: Deadline }>): GraphQLFieldResolver<unknown, { deadline?: Deadline }> {
  return (source, args, ctx, info) => {
    const deadline = ctx?.deadline;
    if (!deadline) return resolve(source, args, ctx, info);
    if (deadline.signal.aborted) throw timeoutError(deadline.seconds);
    return new Promise((resolvePromise, reject) => {
      const onAbort = () => reject(timeoutError(deadline.seconds));
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => resolve(source, args, ctx, info))
        .then(resolvePromise, (err: unknown) => reject(deadline.signal.aborted ? timeoutError(deadline.seconds) : err))
        .finally(() => deadline.signal.removeEventListener('abort', onAbort));
    });
  };
}

export function createDeadline(seconds: number): Deadline {
  return { signal: AbortSignal.timeout(Math.round(seconds * 1000)), seconds };
}
