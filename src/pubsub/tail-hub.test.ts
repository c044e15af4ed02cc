import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { TailHub } from './tail-hub.js';

const ev = (i: number, app = 'a'): LogEvent => ({ ts: i, domain: 'd', env: 'prod', app, file: 'app.log', message: `m${i}` });

describe('TailHub', () => {
  it('delivers matching events in order to each subscriber', async () => {
    const hub = new TailHub();
    const onlyB = hub.subscribe((e) => e.app === 'b');
    const all = hub.subscribe();
    hub.publish(ev(1, 'a'));
    hub.publish(ev(2, 'b'));
    expect((await all.next()).value?.message).toBe('m1');
    expect((await all.next()).value?.message).toBe('m2');
    const b = await onlyB.next();
    expect(b.value).toMatchObject({ message: 'm2', dropped: 0 });
  });

  it('drops the oldest events of a slow subscriber and reports how many it missed', async () => {
    const hub = new TailHub();
    const slow = hub.subscribe(undefined, 3);
    for (let i = 1; i <= 10; i++) hub.publish(ev(i));
    const first = await slow.next();
    expect(first.value).toMatchObject({ message: 'm8', dropped: 7 });
    expect((await slow.next()).value).toMatchObject({ message: 'm9', dropped: 0 });
    expect(slow.droppedTotal).toBe(7);
  });

  it('completes waiting subscribers on close and forgets returned ones', async () => {
    const hub = new TailHub();
    const s1 = hub.subscribe();
    const s2 = hub.subscribe();
    const pending = s1.next();
    await s2.return!();
    expect(hub.size).toBe(1);
    hub.close();
    expect((await pending).done).toBe(true);
    expect(hub.size).toBe(0);
  });
});

describe('TailHub preparing stages', () => {
  it('runs them before subscribers and relays see an event, and not on events received from replicas', async () => {
    const hub = new TailHub();
    const sub = hub.subscribe();
    const relayed: LogEvent[] = [];
    hub.relayTo((e) => relayed.push(e));
    const stop = hub.prepareWith((e) => ({ ...e, fields: { ...e.fields, pattern: `p-${e.message}` } }));
    hub.publish(ev(1));
    hub.receive(ev(2));
    expect((await sub.next()).value?.fields).toEqual({ pattern: 'p-m1' });
    expect((await sub.next()).value?.fields).toBeUndefined();
    expect(relayed.map((e) => e.fields)).toEqual([{ pattern: 'p-m1' }]);
    stop();
    hub.publish(ev(3));
    expect((await sub.next()).value?.fields).toBeUndefined();
  });
});
