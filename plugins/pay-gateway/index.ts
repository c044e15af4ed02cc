// The pay domain's gateway gives every call it routes a trace id of its own and logs both ids on
// its route line: "route /pay/submit upstream-domain=shop upstream-trace=<A> trace=<B> ...".
// This plugin reads that line, so trace search can follow a request from shop into pay.

import { z } from 'zod';
import { definePlugin, readOptions, type GatewayMapping, type LogEvent } from '../../src/plugins/index.js';

const ROUTE = /\broute (\S+) upstream-domain=(\S+) upstream-trace=(\S+) trace=(\S+)/;

const optionsSchema = z
  .object({
    /** The gateway's app name: only its lines are read. */
    app: z.string().min(1).default('pay-gateway'),
    /** The domains the gateway fronts. */
    domains: z.array(z.string().min(1)).min(1).default(['pay']),
  })
  .strict();

/** The route fields of a gateway line, or undefined for any other line. */
export function parseRoute(text: string): Record<string, string> | undefined {
  const m = ROUTE.exec(text);
  return m ? { route: m[1]!, upstreamDomain: m[2]!, upstreamTrace: m[3]!, trace: m[4]! } : undefined;
}

/** The mapping upstream (domain, trace) -> (this event's domain, the trace the gateway issued). */
export function routeMapping(event: LogEvent, app: string): GatewayMapping | undefined {
  if (event.app !== app) return undefined;
  const r = parseRoute(event.message);
  if (!r) return undefined;
  return { fromDomain: r.upstreamDomain!, fromTraceId: r.upstreamTrace!, toDomain: event.domain, toTraceId: r.trace!, ts: event.ts };
}

export default function payGateway(options: Record<string, unknown>) {
  const { app, domains } = readOptions(optionsSchema, options);
  return definePlugin({
    name: 'pay-gateway',
    domains,
    traceMapper: (event) => routeMapping(event, app),
    parsers: { 'pay-gateway-route': parseRoute },
  });
}
