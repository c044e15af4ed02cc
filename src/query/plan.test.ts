import { describe, expect, it } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { planTargets } from './plan.js';
import type { Access, PlannedTarget, QueryScope } from './request.js';
import { applyScope } from './scope.js';
import { fakeTopology, store } from './testing.js';

const topology = fakeTopology(
  [
    // domain "envd": one logstore per env, apps are filters inside it
    store('envd-prod', { domain: 'envd', layout: 'env', env: 'prod' }),
    store('envd-daily', { domain: 'envd', layout: 'env', env: 'daily' }),
    // domain "appd": one logstore per env+app
    store('appd-prod-x', { domain: 'appd', layout: 'app', env: 'prod', app: 'x' }),
    store('appd-prod-y', { domain: 'appd', layout: 'app', env: 'prod', app: 'y' }),
    store('appd-daily-x', { domain: 'appd', layout: 'app', env: 'daily', app: 'x' }),
    // domain "filed": one logstore per env+app+file
    store('filed-x-a', { domain: 'filed', layout: 'file', app: 'x', file: 'a.log' }),
    store('filed-x-b', { domain: 'filed', layout: 'file', app: 'x', file: 'b.log' }),
    store('filed-z-a', { domain: 'filed', layout: 'file', app: 'z', file: 'a.log' }),
    // domain "mixed": an env store, an app store for "pay", a file store for ord/err.log
    store('mixed-env', { domain: 'mixed', layout: 'env' }),
    store('mixed-pay', { domain: 'mixed', layout: 'app', app: 'pay' }),
    store('mixed-ord-err', { domain: 'mixed', layout: 'file', app: 'ord', file: 'err.log' }),
    // an env-layout domain that has learned no app yet
    store('fresh-prod', { domain: 'fresh', layout: 'env' }),
  ],
  { domains: ['envd', 'appd', 'filed', 'mixed', 'fresh', 'empty'], apps: [{ domain: 'envd', name: 'x', files: [] }, { domain: 'envd', name: 'y', files: [] }, { domain: 'mixed', name: 'cart', files: [] }] },
);

const open: Access = { deniedDomains: [] };
const plan = (q: { domains?: string[]; envs?: string[]; apps?: string[]; files?: string[] }, access: Access = { ...open, domains: q.domains }) =>
  planTargets(topology, q, access, 100);
const brief = (ts: PlannedTarget[]) =>
  ts.map((t) => ({ id: t.target.id, ...(t.target.apps ? { apps: t.target.apps } : {}), ...(t.target.files ? { files: t.target.files } : {}), ...(t.exclude ? { exclude: t.exclude } : {}) }));

async function caught(p: Promise<unknown>): Promise<LogfedError> {
  try {
    await p;
  } catch (e) {
    return e as LogfedError;
  }
  throw new Error('expected a rejection');
}

describe('plan', () => {
  it('env layout: one target per env logstore with the apps and files as filters', async () => {
    expect(brief(await plan({ domains: ['envd'], apps: ['y', 'x'], files: ['app.log'] }))).toEqual([
      { id: 'envd-daily', apps: ['x', 'y'], files: ['app.log'] },
      { id: 'envd-prod', apps: ['x', 'y'], files: ['app.log'] },
    ]);
    expect(brief(await plan({ domains: ['envd'], envs: ['prod'] }))).toEqual([{ id: 'envd-prod' }]);
  });

  it('app layout: one target per logstore of a requested app, all apps when none named', async () => {
    expect(brief(await plan({ domains: ['appd'], apps: ['x'] }))).toEqual([{ id: 'appd-daily-x' }, { id: 'appd-prod-x' }]);
    expect(brief(await plan({ domains: ['appd'], envs: ['prod'] }))).toEqual([{ id: 'appd-prod-x' }, { id: 'appd-prod-y' }]);
  });

  it('file layout: the logstores whose app and file both match', async () => {
    expect(brief(await plan({ domains: ['filed'], apps: ['x'] }))).toEqual([{ id: 'filed-x-a' }, { id: 'filed-x-b' }]);
    expect(brief(await plan({ domains: ['filed'], files: ['a.log'] }))).toEqual([{ id: 'filed-x-a' }, { id: 'filed-z-a' }]);
  });

  it('mixed layouts: the most specific logstore serves an app, the broader one excludes it', async () => {
    expect(brief(await plan({ domains: ['mixed'] }))).toEqual([
      { id: 'mixed-env', exclude: [{ app: 'pay' }, { app: 'ord', file: 'err.log' }] },
      { id: 'mixed-ord-err' },
      { id: 'mixed-pay' },
    ]);
    expect(brief(await plan({ domains: ['mixed'], apps: ['pay', 'ord', 'cart'] }))).toEqual([
      { id: 'mixed-env', apps: ['cart', 'ord'], exclude: [{ app: 'ord', file: 'err.log' }] },
      { id: 'mixed-ord-err' },
      { id: 'mixed-pay' },
    ]);
    // Every requested (app, file) has its own logstore: the env logstore is not asked at all.
    expect(brief(await plan({ domains: ['mixed'], apps: ['pay', 'ord'], files: ['err.log'] }))).toEqual([
      { id: 'mixed-ord-err' },
      { id: 'mixed-pay', files: ['err.log'] },
    ]);
  });

  it('no logstore is searched twice, and every app that exists is searched once', async () => {
    const ts = await plan({});
    expect(new Set(ts.map((t) => t.target.id)).size).toBe(ts.length);
    expect(ts.map((t) => t.rank)).toEqual(ts.map((_, i) => i));
    expect([...ts.map((t) => t.target.id)]).toEqual([...ts.map((t) => t.target.id)].sort());
  });

  it('a cross-domain query takes the union of the domains targets', async () => {
    const both = brief(await plan({ domains: ['appd', 'filed'], apps: ['x'] })).map((t) => t.id);
    expect(both).toEqual(['appd-daily-x', 'appd-prod-x', 'filed-x-a', 'filed-x-b']);
  });

  it('lists every unknown domain and app in one BAD_USER_INPUT', async () => {
    const e = await caught(plan({ domains: ['appd', 'nope', 'nada'], apps: ['x', 'ghost'] }));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toBe('unknown domains: nada, nope; unknown app: ghost');
    expect(e.details).toEqual({ unknownDomains: ['nada', 'nope'], unknownApps: ['ghost'] });
  });

  it('an app of another domain is unknown in this one; a domain with no logstores is known but empty', async () => {
    expect((await caught(plan({ domains: ['appd'], apps: ['pay'] }))).details).toEqual({ unknownDomains: [], unknownApps: ['pay'] });
    expect(await plan({ domains: ['empty'] })).toEqual([]);
  });

  it('an env-layout domain that has learned no app yet accepts any app name', async () => {
    expect(brief(await plan({ domains: ['fresh'], apps: ['whatever'] }))).toEqual([{ id: 'fresh-prod', apps: ['whatever'] }]);
  });

  it('refuses a plan with more targets than allowed', async () => {
    const e = await caught(planTargets(topology, {}, open, 3));
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });
});

describe('plan within a scope', () => {
  const scoped = (q: { domains?: string[]; apps?: string[] }, scope: QueryScope) => plan(q, applyScope(q, scope));

  it('a domain outside the scope gets the same error as an unknown one', async () => {
    const outside = await caught(scoped({ domains: ['appd'] }, { domains: ['envd'] }));
    const missing = await caught(scoped({ domains: ['nowhere'] }, { domains: ['envd'] }));
    expect(outside.message).toBe('unknown domain: appd');
    expect(missing.message).toBe('unknown domain: nowhere');
    expect(outside.details).toEqual({ unknownDomains: ['appd'], unknownApps: [] });
  });

  it('no domains named means the domains in scope', async () => {
    expect(brief(await scoped({}, { domains: ['filed'] })).map((t) => t.id)).toEqual(['filed-x-a', 'filed-x-b', 'filed-z-a']);
  });

  it('apps are cut to those the caller may read, and a forbidden app is unknown', async () => {
    const scope: QueryScope = { domains: '*', apps: { envd: ['x'], appd: ['y'] } };
    expect(brief(await scoped({ domains: ['envd', 'appd'] }, scope))).toEqual([
      { id: 'appd-prod-y' },
      { id: 'envd-daily', apps: ['x'] },
      { id: 'envd-prod', apps: ['x'] },
    ]);
    expect((await caught(scoped({ domains: ['envd'], apps: ['y'] }, scope))).details).toEqual({ unknownDomains: [], unknownApps: ['y'] });
  });
});
