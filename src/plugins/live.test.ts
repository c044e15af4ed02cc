import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { ev } from '../query/testing.js';
import type { GatewayMapping } from '../topology/types.js';
import { definePlugin } from './define.js';
import { createPluginHost } from './host.js';
import { createEventHooks } from './live.js';

const shop = (message: string) => ev(1, { domain: 'shop', message });
const pay = (message: string) => ev(2, { domain: 'pay', message });

describe('event hooks', () => {
  it('see only events of their domains, in load order, and may drop or annotate them', () => {
    const seen: string[] = [];
    const step = createEventHooks([
      definePlugin({ name: 'a', domains: ['shop'], hooks: { event: (e) => (seen.push(`a:${e.domain}`), e.message === 'drop' ? null : { ...e, fields: { a: 1 } }) } }),
      definePlugin({ name: 'b', domains: ['shop'], hooks: { event: (e) => (seen.push(`b:${e.domain}`), { ...e, fields: { ...e.fields, b: 2 } }) } }),
    ]);
    expect(step(shop('keep'))?.fields).toEqual({ a: 1, b: 2 });
    expect(step(shop('drop'))).toBeNull();
    const other = pay('untouched');
    expect(step(other)).toBe(other);
    expect(seen).toEqual(['a:shop', 'b:shop', 'a:shop']);
  });

  it('drop the event when a hook throws or moves it to another domain, and go on with the next', () => {
    let n = 0;
    const step = createEventHooks([
      definePlugin({
        name: 'bad',
        domains: ['shop'],
        hooks: {
          event: (e) => {
            if (n++ === 0) throw new Error('boom');
            return { ...e, domain: 'pay' };
          },
        },
      }),
    ]);
    expect(step(shop('one'))).toBeNull();
    expect(step(shop('two'))).toBeNull();
    expect(step(pay('three'))?.message).toBe('three');
  });
});

describe('the plugin tail hub', () => {
  it('records the mappings of live events and delivers what the event hooks let through', async () => {
    const recorded: GatewayMapping[] = [];
    const host = createPluginHost(
      [
        {
          source: 'inline',
          plugin: definePlugin({
            name: 'gw',
            domains: ['pay'],
            traceMapper: (e) => (e.traceId ? { fromDomain: 'shop', fromTraceId: `s-${e.traceId}`, toDomain: e.domain, toTraceId: e.traceId } : undefined),
            hooks: { event: (e) => (e.level === 'DEBUG' ? null : e) },
          }),
        },
      ],
      { recordMapping: async (m) => void recorded.push(m) },
    );
    const hub = host.createTailHub();
    const sub = hub.subscribe();
    hub.publish(ev(1, { domain: 'pay', traceId: 't1', level: 'DEBUG', message: 'hidden' }));
    hub.publish(ev(2, { domain: 'pay', traceId: 't1', message: 'shown' }));
    hub.publish(ev(3, { domain: 'shop', traceId: 't9', message: 'other domain' }));
    const got: LogEvent[] = [];
    for (let i = 0; i < 2; i++) got.push((await sub.next()).value);
    await sub.return?.();
    await host.mappingsRecorded();
    expect(got.map((e) => e.message)).toEqual(['shown', 'other domain']);
    expect(recorded).toEqual([{ fromDomain: 'shop', fromTraceId: 's-t1', toDomain: 'pay', toTraceId: 't1' }]);
  });
});
