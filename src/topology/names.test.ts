// knownApps: the planner's list of app names per domain, from app rows and logstores.

import { describe, expect, it } from 'vitest';
import { knownApps } from './names.js';
import type { Logstore } from './types.js';

const ls = (over: Partial<Logstore>): Logstore => ({ id: 'x', domain: 'shop', layout: 'env', env: 'prod', backend: 'b', location: {}, ...over });

describe('knownApps', () => {
  it('merges app rows with the apps that app- and file-layout logstores name, per domain', () => {
    const known = knownApps(
      [
        ls({ id: 'a', layout: 'app', app: 'cart' }),
        ls({ id: 'b', layout: 'file', app: 'search', file: 'app.log' }),
        ls({ id: 'c' }),
        ls({ id: 'd', domain: 'pay', layout: 'app', app: 'cart' }),
      ],
      [
        { domain: 'shop', name: 'cart', files: [] },
        { domain: 'ads', name: 'bidder', files: ['a.log'] },
      ],
    );
    expect(known).toStrictEqual(
      new Map([
        ['shop', new Set(['cart', 'search'])],
        ['ads', new Set(['bidder'])],
        ['pay', new Set(['cart'])],
      ]),
    );
  });

  it('knows no apps of a domain that only has env-layout logstores', () => {
    expect(knownApps([ls({})], []).get('shop')).toBeUndefined();
  });
});
