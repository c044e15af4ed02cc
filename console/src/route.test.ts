import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './route.js';

describe('route', () => {
  it('reads views, the trace id and parameters, and writes them back', () => {
    expect(parseRoute('')).toMatchObject({ view: 'search', arg: '' });
    expect(parseRoute('#/nowhere')).toMatchObject({ view: 'search' });
    const r = parseRoute(href('trace', { domain: 'shop', at: '' }, 'ab/c d'));
    expect(r).toMatchObject({ view: 'trace', arg: 'ab/c d' });
    expect([...r.params]).toEqual([['domain', 'shop']]);
    const s = parseRoute(href('search', { q: '"lock wait" -x', levels: ['ERROR', 'WARN'] }));
    expect(s.params.get('q')).toBe('"lock wait" -x');
    expect(s.params.get('levels')).toBe('ERROR,WARN');
  });
});
