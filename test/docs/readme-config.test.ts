// The README's configuration reference is a real config: it parses, so the documentation cannot
// drift from what the gateway accepts.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function yamlBlockAfter(heading: string): string {
  const section = readme.slice(readme.indexOf(heading));
  const m = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error(`no yaml block after ${heading}`);
  return m[1]!;
}

describe('README', () => {
  it('has a configuration reference that the gateway accepts as it is', async () => {
    const { parse } = await import('yaml');
    const config = parseConfig(parse(yamlBlockAfter('## Configuration')), 'README');
    expect(config.topology.logstores.map((l) => l.id)).toEqual(['shop-prod-orders', 'shop-pre', 'shop-prod-audit']);
    expect(config.backends['app-files']?.kind).toBe('file');
  });

  it('shows the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toMatch(/^npm test\b/m);
  });
});
