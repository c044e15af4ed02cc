import { describe, expect, it } from 'vitest';
import { findingToAlert } from '../alerts/source.js';
import { credentialHeaders, endpoints, loadCredentials, saveCredentials } from './endpoint.js';

describe('endpoint', () => {
  it('talks to the page’s own origin, over wss behind https', () => {
    expect(endpoints({ protocol: 'https:', host: 'logs.example:8443' })).toEqual({ httpUrl: 'https://logs.example:8443/graphql', wsUrl: 'wss://logs.example:8443/graphql' });
  });
  it('keeps credentials and sends them as the gateway reads them', () => {
    const m = new Map<string, string>();
    const store = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    expect(loadCredentials(store)).toEqual({ token: '', user: '' });
    saveCredentials({ token: 'lf_key', user: 'ana' }, store);
    expect(credentialHeaders(loadCredentials(store))).toEqual({ authorization: 'Bearer lf_key', 'x-logfed-user': 'ana' });
    expect(credentialHeaders({ token: 'Bearer eyJ', user: '' })).toEqual({ authorization: 'Bearer eyJ' });
    m.set('logfed.credentials', '{not json');
    expect(loadCredentials(store)).toEqual({ token: '', user: '' });
  });
});

describe('findingToAlert', () => {
  it('turns a scanner finding into an alert with a stable id and its severity', () => {
    const f = { kind: 'SURGE' as const, domain: 'pay', app: 'core', fingerprint: 'f1', type: 'java.net.SocketTimeoutException', sample: 's', count: 30, baseline: 4, windowStart: '2026-11-21T08:00:00.000Z', windowEnd: '2026-11-21T08:10:00.000Z', message: 'm' };
    expect(findingToAlert(f)).toEqual({
      id: 'pay/core/f1/2026-11-21T08:10:00.000Z', kind: 'SURGE', severity: 'critical', domain: 'pay', app: 'core',
      title: 'java.net.SocketTimeoutException', message: 'm', detail: 's', at: Date.parse('2026-11-21T08:10:00.000Z'), count: 30, baseline: 4,
    });
    expect(findingToAlert({ ...f, kind: 'NEW' }).severity).toBe('warning');
  });
});
