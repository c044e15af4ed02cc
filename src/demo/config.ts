// The embedded default: what runs when no configuration is given. Everything in memory, an
// in-process bus, the demo organisation's files in a fresh temporary directory, the example
// plugins for its two domains, and the demo compute task that turns the raw lines into the tail.

import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_BACKEND, demoLogstores } from './catalog.js';

/** plugins/ of this repository: found from this file, so the demo starts from any directory. */
export const EXAMPLE_PLUGINS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'plugins');

/** examples/rules of this repository: the demo task's rules. */
export const EXAMPLE_RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'rules');

export const DEMO_TOPIC = 'logfed.demo.logs';

export function demoConfig(dir = join(tmpdir(), `logfed-demo-${process.pid}`)): Record<string, unknown> {
  return {
    demo: { enabled: true, dir, linesPerSecond: 20, topic: DEMO_TOPIC },
    compute: {
      rules: { source: 'files', dir: EXAMPLE_RULES_DIR },
      tasks: [{ id: 'demo', description: 'The demo apps: logback lines parsed, joined and masked for the live tail', topics: [DEMO_TOPIC], startFrom: 'earliest', rules: ['demo.*'] }],
    },
    plugins: [
      { path: join(EXAMPLE_PLUGINS_DIR, 'orders') },
      { path: join(EXAMPLE_PLUGINS_DIR, 'pay-gateway'), options: { app: 'pay-gateway' } },
    ],
    backends: { [DEMO_BACKEND]: { kind: 'file', root: dir } },
    topology: {
      domains: [
        { name: 'shop', description: 'Online shop: cart, order and user services' },
        { name: 'pay', description: 'Payments behind their own gateway, with their own trace ids' },
      ],
      logstores: demoLogstores(),
    },
  };
}
