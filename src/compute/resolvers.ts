// GraphQL for compute tasks (schema/compute.graphql): list and inspect tasks with their rules and
// health, start and stop them, reload their rules, and edit rules in the store. Everything goes
// through the runtime's task manager (compute/tasks/manager.ts). A task reads raw lines of any
// domain, so only callers whose scope holds every domain see tasks and rules (to others they
// read as unknown), and changing them needs the admin role as well.

import { readsEverything, requireEverything, requireRole } from '../auth/access.js';
import type { Resolvers } from '../generated/graphql.js';
import type { GraphQLContext } from '../server/context.js';
import { LogfedError } from '../errors/index.js';

const notFound = (id: string) => new LogfedError('NOT_FOUND', `no compute task ${JSON.stringify(id)}`);
const requireComputeAdmin = (ctx: GraphQLContext) => {
  requireRole(ctx, 'admin');
  requireEverything(ctx, 'compute');
};

export const computeResolvers: Resolvers = {
  Query: {
    tasks: (_p, _a, ctx) => (readsEverything(ctx) ? ctx.runtime.compute.list() : []),
    task: (_p, { id }, ctx) => (readsEverything(ctx) ? (ctx.runtime.compute.get(id) ?? null) : null),
    rules: (_p, { taskId }, ctx) => {
      const task = readsEverything(ctx) ? ctx.runtime.compute.get(taskId) : undefined;
      if (!task) throw notFound(taskId);
      return task.rules();
    },
  },
  Mutation: {
    startTask: async (_p, { id }, ctx) => {
      requireComputeAdmin(ctx);
      const compute = ctx.runtime.compute;
      // A task that cannot start is answered with its state and lastError rather than an error.
      await compute.startTask(id).catch((err: unknown) => {
        if (!compute.get(id)) throw err;
      });
      return compute.get(id)!;
    },
    stopTask: (_p, { id }, ctx) => {
      requireComputeAdmin(ctx);
      return ctx.runtime.compute.stopTask(id);
    },
    reloadRules: (_p, { taskId }, ctx) => {
      requireComputeAdmin(ctx);
      return ctx.runtime.compute.reloadRules(taskId);
    },
    upsertRule: (_p, { rule }, ctx) => {
      requireComputeAdmin(ctx);
      return ctx.runtime.compute.upsertRule(rule);
    },
    setRuleOnline: (_p, { id, online }, ctx) => {
      requireComputeAdmin(ctx);
      return ctx.runtime.compute.setRuleOnline(id, online);
    },
  },
  Task: {
    description: (t) => t.config.description ?? null,
    topics: (t) => t.config.topics,
    startFrom: (t) => (t.config.startFrom === 'earliest' ? 'EARLIEST' : 'LATEST'),
    ruleRefs: (t) => t.config.rules,
    outputTopic: (t) => t.config.outputTopic ?? null,
    tail: (t) => t.config.tail,
    startedAt: (t) => t.startedAt ?? null,
    lastError: (t) => t.lastError ?? null,
    lastReload: (t) => t.lastReload ?? null,
    rules: (t) => t.rules(),
    health: (t) => t.health(),
    advice: (t) => t.advice(),
  },
  ComputeRule: {
    body: (r) => r.rule,
  },
};
