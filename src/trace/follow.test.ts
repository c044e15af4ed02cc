import { describe, expect, it } from 'vitest';
import type { GatewayMapping } from '../topology/types.js';
import { followMappings } from './follow.js';

function reader(mappings: GatewayMapping[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async gatewayMappingsFor(domain: string, traceId: string) {
      calls++;
      return mappings.filter(
        (m) => (m.fromDomain === domain && m.fromTraceId === traceId) || (m.toDomain === domain && m.toTraceId === traceId),
      );
    },
  };
}

const m = (fd: string, ft: string, td: string, tt: string): GatewayMapping => ({ fromDomain: fd, fromTraceId: ft, toDomain: td, toTraceId: tt });

describe('followMappings', () => {
  it('follows mappings downstream and upstream, transitively', async () => {
    const r = reader([m('web', 'w1', 'shop', 's1'), m('shop', 's1', 'pay', 'p1'), m('pay', 'p1', 'bank', 'b1'), m('shop', 's9', 'pay', 'p9')]);
    const { nodes, truncated } = await followMappings([{ domain: 'pay', traceId: 'p1' }], r);
    expect(truncated).toBe(false);
    expect(nodes.map((n) => `${n.domain}:${n.traceId}@${n.distance}`).sort()).toEqual(['bank:b1@1', 'pay:p1@0', 'shop:s1@1', 'web:w1@2']);
  });

  it('cuts cycles and visits each node once', async () => {
    const r = reader([m('a', '1', 'b', '2'), m('b', '2', 'c', '3'), m('c', '3', 'a', '1')]);
    const { nodes } = await followMappings([{ domain: 'a', traceId: '1' }], r);
    expect(nodes).toHaveLength(3);
    expect(r.calls).toBe(3);
  });

  it('stops at the node cap and says so', async () => {
    const chain = Array.from({ length: 10 }, (_, i) => m('d', String(i), 'd', String(i + 1)));
    const { nodes, truncated } = await followMappings([{ domain: 'd', traceId: '0' }], reader(chain), 4);
    expect(nodes).toHaveLength(4);
    expect(truncated).toBe(true);
  });

  it('keeps a trace id that is the same in two domains apart', async () => {
    const { nodes } = await followMappings(
      [
        { domain: 'a', traceId: 'x' },
        { domain: 'b', traceId: 'x' },
      ],
      reader([]),
    );
    expect(nodes).toHaveLength(2);
  });
});
