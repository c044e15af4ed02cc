// The OpenSearch demo configuration stays valid: it parses as a Logfed config, its backend
// builds through the adapter registry, and each logstore's location is one the adapter accepts.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { createAdapterRegistry } from '../../src/runtime/adapters.js';
import { OpensearchLocationSchema } from './config.js';

describe('examples/opensearch-demo.yaml', () => {
  const raw = parse(readFileSync(new URL('../../examples/opensearch-demo.yaml', import.meta.url), 'utf8'));

  it('is a valid config whose shop domain is served by an opensearch backend', async () => {
    const config = parseConfig(raw, 'examples/opensearch-demo.yaml');
    expect(config.backends.search).toMatchObject({ kind: 'opensearch', url: 'http://127.0.0.1:9200' });
    const registry = createAdapterRegistry(config.backends as never);
    expect(registry.get('search')?.kind).toBe('opensearch');
    await registry.close();
    const stores = config.topology.logstores;
    expect(stores.map((s) => [s.domain, s.layout, s.backend])).toEqual([
      ['shop', 'env', 'search'],
      ['shop', 'app', 'search'],
    ]);
    for (const s of stores) expect(OpensearchLocationSchema.safeParse(s.location).success).toBe(true);
  });

  it('would be refused with a misspelt backend key, naming it', () => {
    const bad = structuredClone(raw);
    bad.backends.search.keywordFeild = 'message.raw';
    const config = parseConfig(bad, 'x');
    expect(() => createAdapterRegistry(config.backends as never)).toThrow(/backends\.search: opensearch adapter config: config: Unrecognized key.*keywordFeild/);
  });
});
