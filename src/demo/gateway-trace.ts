// Learns gateway mappings from the pay gateway's route lines, which name the upstream trace id
// and the new one: "route /pay/submit upstream-domain=shop upstream-trace=<A> trace=<B> ...".

import type { GatewayMapping } from '../topology/types.js';
import { lineTs } from './logback.js';

const ROUTE = /upstream-domain=(\S+) upstream-trace=(\S+) trace=(\S+)/;

export function extractGatewayMapping(line: string, toDomain: string): GatewayMapping | undefined {
  const m = ROUTE.exec(line);
  if (!m) return undefined;
  return { fromDomain: m[1]!, fromTraceId: m[2]!, toDomain, toTraceId: m[3]!, ts: lineTs(line) };
}
