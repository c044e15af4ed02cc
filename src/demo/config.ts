// The embedded default: what runs when no configuration is given. Everything in memory, an
// in-process bus, and the demo organisation's files in a fresh temporary directory.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BACKEND, demoLogstores } from './catalog.js';

export function demoConfig(dir = join(tmpdir(), `logfed-demo-${process.pid}`)): Record<string, unknown> {
  return {
    demo: { enabled: true, dir, linesPerSecond: 20 },
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
