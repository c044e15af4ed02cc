// The shop's plugin: `orderTrail(orderId)` follows an order from the shop's lines that name it
// across every domain its calls crossed, and the shop's events (searched and live) are annotated
// with the order number they mention, as `fields.orderId`.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Resolvers } from '../../src/generated/graphql.js';
import { definePlugin, logfed, readOptions, type LogEvent } from '../../src/plugins/index.js';
import { findOrderTrail } from './trail.js';

const ORDER_IN_TEXT = /\b(ORD\d+)\b/;

const optionsSchema = z.object({ domains: z.array(z.string().min(1)).min(1).default(['shop']) }).strict();

/** The event with `fields.orderId` set when its message names an order; unchanged otherwise. */
export function annotateOrder(event: LogEvent): LogEvent {
  const m = ORDER_IN_TEXT.exec(event.message);
  return m ? { ...event, fields: { ...event.fields, orderId: m[1] } } : event;
}

export default function orders(options: Record<string, unknown>) {
  const { domains } = readOptions(optionsSchema, options);
  return definePlugin({
    name: 'orders',
    domains,
    typeDefs: readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
    resolvers: {
      Query: {
        orderTrail: (_p, { orderId, from, to }, ctx) =>
          findOrderTrail(logfed(ctx), { orderId, domains, from: from ?? undefined, to: to ?? undefined }),
      },
    } satisfies Resolvers,
    hooks: {
      results: (_ctx, events) => events.map(annotateOrder),
      event: annotateOrder,
    },
  });
}
