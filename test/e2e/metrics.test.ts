// Metrics and alerts end to end over the real demo gateway: graphql-ws clients subscribed to the
// demo task's errors-per-app metric and its pay-core alert receive a row and an alert when the
// next minute window closes, and the same row and alert can be read back with the queries.

import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../src/compute/bus/testing.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

let gw: TestGateway;
const clients: Client[] = [];

beforeAll(async () => {
  gw = await startTestGateway((c) => ({
    ...c,
    demo: { ...c.demo, linesPerSecond: 200 },
    compute: { ...c.compute, tasks: c.compute.tasks.map((t: Record<string, unknown>) => ({ ...t, allowedLatenessMs: 0 })) },
  }));
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await gw?.stop();
});

function listen(query: string): { items: any[]; errors: unknown[] } {
  const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  clients.push(client);
  const got = { items: [] as any[], errors: [] as unknown[] };
  client.subscribe({ query }, { next: (v) => (v.errors ? got.errors.push(v.errors) : got.items.push(v.data)), error: (e) => got.errors.push(e), complete: () => undefined });
  return got;
}

describe('metrics and alerts over the demo gateway', () => {
  it('streams a closed window of errors per app and the pay-core alert to graphql-ws clients, and answers them back', async () => {
    const rows = listen('subscription { metric(ruleId: "demo.errors-per-app") { ruleId windowStart windowEnd key values } }');
    const alerts = listen('subscription { alerts(filter: { ruleId: "demo.pay-core-errors" }) { ruleId fingerprint state message labels metric { key values } } }');
    // Windows are a minute long and close on the demo's own event time.
    await waitFor(() => rows.items.length > 0 && alerts.items.length > 0, 'a closed window and an alert', 90_000);
    expect(rows.errors).toEqual([]);
    const row = rows.items[0].metric;
    expect(row.ruleId).toBe('demo.errors-per-app');
    expect(Date.parse(row.windowEnd) - Date.parse(row.windowStart)).toBe(60_000);
    expect(row.values.errors).toBeGreaterThan(0);
    const alert = alerts.items[0].alerts;
    expect(alert).toMatchObject({ ruleId: 'demo.pay-core-errors', labels: { app: 'pay-core', severity: 'warning' } });
    expect(['pending', 'firing']).toContain(alert.state);
    expect(alert.message).toMatch(/^pay-core logged \d+ errors/);

    const read = await gw.gql('query ($k: JSON) { metrics(ruleId: "demo.errors-per-app", filter: $k, last: 5) { windowStart key values } alerts(filter: { app: "pay-core" }) { fingerprint state } }', { k: { app: row.key.app } });
    expect(read.errors).toBeUndefined();
    expect(read.data.metrics.some((r: any) => r.windowStart === row.windowStart && r.values.errors === row.values.errors)).toBe(true);
    expect(read.data.alerts.map((a: any) => a.fingerprint)).toContain(alert.fingerprint);
    // The task's advice names the metric rule; having just emitted, it is not flagged as quiet.
    const advice = await gw.gql('{ tasks { id advice { verdict reasons rules { id verdict reasons } } } }');
    expect(advice.errors).toBeUndefined();
    const ruleAdvice = advice.data.tasks.flatMap((t: any) => t.advice.rules).find((r: any) => r.id === 'demo.errors-per-app');
    expect(ruleAdvice).toMatchObject({ verdict: expect.stringMatching(/^(OK|WARN|FAIL)$/) });
    expect(ruleAdvice.reasons.filter((r: string) => r.startsWith('emitted nothing'))).toEqual([]);
    expect(ruleAdvice.verdict === 'OK').toBe(ruleAdvice.reasons.length === 0);
    const bad = await gw.gql('{ metrics(ruleId: "demo.errors-per-app", last: 201) { ruleId } }');
    expect(bad.errors?.[0]?.message).toMatch(/last: expected 1\.\.200/);
  }, 120_000);
});
