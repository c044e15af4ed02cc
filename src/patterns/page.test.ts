import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { clusterPage } from './page.js';

const ev = (message: string, app = 'cart'): LogEvent => ({ ts: 0, domain: 'shop', env: 'prod', app, file: 'app.log', message });

describe('page patterns', () => {
  it('clusters a page into its kinds of lines, most frequent first, with the apps they came from', () => {
    const page = [
      ev('order 1 created'),
      ev('connected to db01', 'user'),
      ev('order 2 created', 'user'),
      ev('connected to db02'),
      ev('order 3 created'),
      ev('cache miss'),
    ];
    expect(clusterPage(page, 10).map((p) => [p.template, p.count, p.apps])).toStrictEqual([
      ['order <*> created', 3, ['shop/cart', 'shop/user']],
      ['connected to <*>', 2, ['shop/cart', 'shop/user']],
      ['cache miss', 1, ['shop/cart']],
    ]);
    expect(clusterPage(page, 1)).toHaveLength(1);
    expect(clusterPage([], 5)).toStrictEqual([]);
  });
});
