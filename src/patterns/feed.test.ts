import { describe, expect, it } from 'vitest';
import { createPatternFeed, foldUpdate } from './feed.js';
import type { PatternUpdate } from './stage.js';

const update = (patternId: string, over: Partial<PatternUpdate> = {}): PatternUpdate => ({
  kind: 'count',
  domain: 'shop',
  app: 'cart',
  patternId,
  template: `t ${patternId}`,
  topPatternId: 't',
  count: 1,
  delta: 1,
  firstSeen: 1,
  lastSeen: 1,
  sample: 's',
  merged: [],
  ...over,
});

describe('pattern feed', () => {
  it('delivers matching updates in batches, folding what a subscriber has not taken yet', async () => {
    const feed = createPatternFeed();
    const abort = new AbortController();
    const sub = feed.subscribe((u) => u.app === 'cart', abort.signal);
    const first = sub.next(); // starts the subscription
    await Promise.resolve();
    feed.publish([update('p1', { kind: 'new' }), update('p2', { app: 'user' })]);
    expect((await first).value).toStrictEqual([update('p1', { kind: 'new' })]);
    feed.publish([update('p1', { count: 2, delta: 1, merged: ['pa'] })]);
    feed.publish([update('p1', { count: 5, delta: 3, lastSeen: 9, merged: ['pb'] }), update('p3')]);
    expect((await sub.next()).value).toStrictEqual([update('p1', { count: 5, delta: 4, lastSeen: 9, merged: ['pa', 'pb'] }), update('p3')]);
    abort.abort();
    expect((await sub.next()).done).toBe(true);
    expect(feed.size).toBe(0);
  });

  it('ends every subscription when it closes', async () => {
    const feed = createPatternFeed();
    const sub = feed.subscribe(() => true, new AbortController().signal);
    const pending = sub.next();
    await Promise.resolve();
    expect(feed.size).toBe(1);
    feed.close();
    expect((await pending).done).toBe(true);
  });

  it('keeps a pattern new through a fold', () => {
    expect(foldUpdate(update('p', { kind: 'new' }), update('p')).kind).toBe('new');
    expect(foldUpdate(update('p'), update('p')).kind).toBe('count');
  });
});
