// The demo organisation: two domains whose logs live in local files laid out three ways.
// Every logstore masks e-mails and phone numbers on read, as the compute core does for the tail.
// shop/prod is one logstore per app, shop/pre one per env, pay/prod one per file, so the demo
// exercises every layout; pay's gateway changes the trace id of calls coming from shop.

import type { Logstore } from '../topology/types.js';

export interface DemoApp {
  domain: string;
  name: string;
  files: string[];
  pid: number;
  pkg: string;
}

export const DEMO_APPS: DemoApp[] = [
  { domain: 'shop', name: 'cart-service', files: ['app.log'], pid: 4101, pkg: 'c.e.shop.cart' },
  { domain: 'shop', name: 'order-service', files: ['app.log', 'error.log'], pid: 4102, pkg: 'c.e.shop.order' },
  { domain: 'shop', name: 'user-service', files: ['app.log'], pid: 4103, pkg: 'c.e.shop.user' },
  { domain: 'pay', name: 'pay-gateway', files: ['app.log'], pid: 5201, pkg: 'c.e.pay.gateway' },
  { domain: 'pay', name: 'pay-core', files: ['app.log', 'error.log'], pid: 5202, pkg: 'c.e.pay.core' },
];

export const DEMO_ENVS: Record<string, string[]> = { shop: ['prod', 'pre'], pay: ['prod'] };

export const DEMO_BACKEND = 'demo-files';

const DEMO_SENSITIVE = ['@email', '@phone'];

/** Relative path of an app's log file inside the demo directory. */
export function demoFilePath(domain: string, env: string, app: string, file: string): string {
  return `${domain}/${env}/${app}/${file}`;
}

export function demoLogstores(): Logstore[] {
  const stores: Logstore[] = [];
  for (const app of DEMO_APPS.filter((a) => a.domain === 'shop')) {
    stores.push({
      id: `shop-prod-${app.name}`,
      domain: 'shop',
      layout: 'app',
      env: 'prod',
      app: app.name,
      backend: DEMO_BACKEND,
      location: { path: `shop/prod/${app.name}/{file}` },
      sensitiveFields: DEMO_SENSITIVE,
    });
  }
  stores.push({
    id: 'shop-pre',
    domain: 'shop',
    layout: 'env',
    env: 'pre',
    backend: DEMO_BACKEND,
    location: { path: 'shop/pre/{app}/{file}' },
    sensitiveFields: DEMO_SENSITIVE,
  });
  for (const app of DEMO_APPS.filter((a) => a.domain === 'pay')) {
    for (const file of app.files) {
      stores.push({
        id: `pay-prod-${app.name}-${file.replace(/\.log$/, '')}`,
        domain: 'pay',
        layout: 'file',
        env: 'prod',
        app: app.name,
        file,
        backend: DEMO_BACKEND,
        location: { path: demoFilePath('pay', 'prod', app.name, file) },
        sensitiveFields: DEMO_SENSITIVE,
      });
    }
  }
  return stores;
}
