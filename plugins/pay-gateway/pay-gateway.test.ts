import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDemoFile } from '../../src/demo/logback.js';
import { checkPlugin } from '../../src/plugins/define.js';
import payGateway, { parseRoute, routeMapping } from './index.js';

const SAMPLE = new URL('../../examples/logs/pay/prod/pay-gateway/app.log', import.meta.url);
const events = parseDemoFile('pay/prod/pay-gateway/app.log', readFileSync(SAMPLE, 'utf8'));

describe('the pay gateway trace mapper', () => {
  it('maps the shop trace of each route line to the trace id the gateway issued', () => {
    const route = events.find((e) => e.message.startsWith('route '))!;
    const m = /upstream-trace=(\S+) trace=(\S+)/.exec(route.message)!;
    expect(routeMapping(route, 'pay-gateway')).toEqual({ fromDomain: 'shop', fromTraceId: m[1], toDomain: 'pay', toTraceId: m[2], ts: route.ts });
    // The gateway logs its own trace id in the trace column too.
    expect(route.traceId).toBe(m[2]);
  });

  it('finds one mapping per route line and none in the other lines of the sample', () => {
    const mapped = events.map((e) => routeMapping(e, 'pay-gateway')).filter(Boolean);
    expect(mapped.length).toBe(events.filter((e) => e.message.includes('upstream-trace=')).length);
    expect(mapped.length).toBeGreaterThan(100);
    expect(events.some((e) => e.message.startsWith('upstream pay-core answered') && routeMapping(e, 'pay-gateway') === undefined)).toBe(true);
  });

  it('reads only the configured app', () => {
    const route = events.find((e) => e.message.startsWith('route '))!;
    expect(routeMapping({ ...route, app: 'pay-core' }, 'pay-gateway')).toBeUndefined();
  });

  it('offers the route line as a named parser', () => {
    expect(parseRoute('route /pay/submit upstream-domain=shop upstream-trace=a1 trace=b2 order=ORD1')).toEqual({
      route: '/pay/submit',
      upstreamDomain: 'shop',
      upstreamTrace: 'a1',
      trace: 'b2',
    });
    expect(parseRoute('payment authorised')).toBeUndefined();
  });

  it('is a valid plugin for the pay domain, and refuses options it does not know', () => {
    const p = checkPlugin(payGateway({}));
    expect([p.name, p.domains]).toEqual(['pay-gateway', ['pay']]);
    expect(Object.keys(p.parsers!)).toEqual(['pay-gateway-route']);
    expect(() => payGateway({ ap: 'x' })).toThrow('unknown option ap');
    expect(() => payGateway({ app: '' })).toThrow('options.app:');
  });
});
