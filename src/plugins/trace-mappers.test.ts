import { describe, expect, it } from 'vitest';
import { ev } from '../query/testing.js';
import type { GatewayMapping } from '../topology/types.js';
import { definePlugin, type TraceMapper } from './define.js';
import { createTraceMapping } from './trace-mappers.js';

const mapper: TraceMapper = (e) => {
  const m = /up=(\S+) down=(\S+)/.exec(e.message);
  return m ? { fromDomain: 'shop', fromTraceId: m[1]!, toDomain: e.domain, toTraceId: m[2]! } : undefined;
};

function setup(map: TraceMapper = mapper, record?: (m: GatewayMapping) => Promise<void>) {
  const recorded: GatewayMapping[] = [];
  const tm = createTraceMapping([definePlugin({ name: 'gw', domains: ['pay'], traceMapper: map })], record ?? (async (m) => void recorded.push(m)));
  return { tm, recorded };
}

describe('trace mapping', () => {
  it('records each mapping once, from events of the mapper’s domains only', async () => {
    const { tm, recorded } = setup();
    tm.observe(ev(1, { domain: 'pay', message: 'route up=a down=b' }));
    tm.observe(ev(2, { domain: 'pay', message: 'route up=a down=b again' }));
    tm.observe(ev(3, { domain: 'shop', message: 'route up=c down=d' }));
    tm.observe(ev(4, { domain: 'pay', message: 'no route here' }));
    await tm.settled();
    expect(recorded).toEqual([{ fromDomain: 'shop', fromTraceId: 'a', toDomain: 'pay', toTraceId: 'b' }]);
  });

  it('ignores a mapper that throws or returns a malformed mapping or one outside its domains', async () => {
    const bad: TraceMapper[] = [
      () => {
        throw new Error('boom');
      },
      () => ({ fromDomain: 'shop', fromTraceId: '', toDomain: 'pay', toTraceId: 'x' }),
      () => ({ fromDomain: 'shop', fromTraceId: 'a', toDomain: 'bank', toTraceId: 'x' }),
    ];
    for (const map of bad) {
      const { tm, recorded } = setup(map);
      tm.observe(ev(1, { domain: 'pay', message: 'anything' }));
      await tm.settled();
      expect(recorded).toEqual([]);
    }
  });

  it('tries a mapping again after its write failed', async () => {
    let calls = 0;
    const { tm } = setup(mapper, async () => {
      if (calls++ === 0) throw new Error('store down');
    });
    tm.observe(ev(1, { domain: 'pay', message: 'up=a down=b' }));
    await tm.settled();
    tm.observe(ev(2, { domain: 'pay', message: 'up=a down=b' }));
    await tm.settled();
    expect(calls).toBe(2);
  });
});
