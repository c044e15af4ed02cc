// Masking on read, end to end: the crm logstore marks `phone` sensitive, and its value leaves the
// gateway as the same keyed pseudonym from search, trace and the live tail, in `fields` and in
// the message, while other fields pass unchanged and other logstores apply their own marks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, startSecuredGateway, wsRun, type SecuredGateway } from './setup.js';

let gw: SecuredGateway;
beforeAll(async () => {
  gw = await startSecuredGateway();
});
afterAll(async () => {
  await gw?.stop();
});

const PSEUDONYM = /<field:[0-9a-f]{8}>/;

describe('masking on read', () => {
  let pseudonym = '';

  it('masks search results in fields and message, and leaves other fields alone', async () => {
    const { body } = await gw.as(
      'crmReader',
      `query ($from: DateTime) { logs(query: { domains: ["crm"], from: $from }, first: 10, strategy: ALL) { edges { node { message fields traceId } } } }`,
      { from: new Date(gw.crmTs - 1000).toISOString() },
    );
    const nodes = body.data.logs.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(3);
    expect(JSON.stringify(nodes)).not.toContain(PHONE);
    const withPhone = nodes.filter((n: any) => n.fields?.phone);
    expect(withPhone).toHaveLength(2);
    pseudonym = withPhone[0].fields.phone;
    expect(pseudonym).toMatch(PSEUDONYM);
    expect(withPhone.every((n: any) => n.fields.phone === pseudonym && n.message.includes(pseudonym))).toBe(true);
    expect(nodes.find((n: any) => n.fields?.customer)?.fields.customer).toBe('c-1');
  });

  it('masks the events of a trace with the same pseudonym', async () => {
    const { body } = await gw.as('crmReader', `query ($from: DateTime) { trace(traceId: "crm-trace-1", domain: "crm", from: $from) { hops { events { message fields } } } }`, {
      from: new Date(gw.crmTs - 1000).toISOString(),
    });
    const events = body.data.trace.hops.flatMap((h: any) => h.events);
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain(PHONE);
    expect(events.every((e: any) => e.fields.phone === pseudonym)).toBe(true);
  });

  it('masks live events by the logstore that holds them, on graphql-ws', async () => {
    const client = gw.ws('admin');
    // The demo's own task publishes shop events too: wait for one of each published here.
    const ours = (data: any[]) => ({
      crm: data.map((d) => d.tail).find((t) => t.domain === 'crm'),
      shop: data.map((d) => d.tail).find((t) => t.domain === 'shop' && t.fields?.customer === 'c-9'),
    });
    const got = wsRun(client, 'subscription { tail(filter: { domains: ["crm", "shop"] }) { domain message fields } }', undefined, (data) => {
      const { crm, shop } = ours(data);
      return crm !== undefined && shop !== undefined;
    });
    const publish = setInterval(() => {
      gw.runtime.tail.publish({ ts: Date.now(), domain: 'crm', env: 'prod', app: 'crm-api', file: 'app.log', message: `call from ${PHONE}`, fields: { phone: PHONE } });
      gw.runtime.tail.publish({ ts: Date.now(), domain: 'shop', env: 'prod', app: 'cart-service', file: 'app.log', message: `by kind here: ${PHONE}`, fields: { phone: PHONE, customer: 'c-9' } });
    }, 20);
    try {
      const { data, errors } = await got;
      expect(errors).toBeUndefined();
      const { crm, shop } = ours(data);
      // (live events also carry the pattern they were mined into)
      expect(crm).toMatchObject({ domain: 'crm', message: `call from ${pseudonym}`, fields: { phone: pseudonym } });
      expect(JSON.stringify(crm)).not.toContain(PHONE);
      // shop's logstores mark detected kinds (@phone), not crm's `phone` field: its own rule applies
      expect(shop.fields.customer).toBe('c-9');
      expect(shop.fields.phone).toMatch(/^<phone:[0-9a-f]+>$/);
      expect(shop.fields.phone).not.toBe(pseudonym);
    } finally {
      clearInterval(publish);
      await client.dispose();
    }
  });
});
