// Parse rules of `type: plugin` run a parser a domain plugin provides, by name.

import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../pipeline.js';
import { loadRules } from '../rules/index.js';

const RULES = `
- { id: kv, kind: dataType, version: 1, online: true, identify: { all: ["ts="] } }
- { id: kv-parse, kind: parse, version: 1, online: true, dataType: kv, parser: { type: plugin, name: keyvalue }, map: { ts: ts, message: msg, level: lvl }, defaults: { domain: shop, env: prod, app: legacy, file: app.log } }
`;

// What a plugin's `parsers: { keyvalue }` would be: key=value pairs, the rest of the line as msg.
const keyvalue = (text: string) => {
  const m = /^ts=(\S+) lvl=(\S+) (.*)$/.exec(text);
  return m ? { ts: m[1], lvl: m[2], msg: m[3] } : undefined;
};

describe('plugin parsers in parse rules', () => {
  it('parses with the named parser and dead-letters lines it does not recognise', () => {
    const { rules } = loadRules(RULES, 'yaml');
    const p = compilePipeline(rules, { parsers: new Map([['keyvalue', keyvalue]]) });
    const ok = p.process({ value: Buffer.from('ts=2026-11-21T08:00:03Z lvl=warn disk 91% full') }, Date.now());
    expect(ok.events).toHaveLength(1);
    expect(ok.events[0]).toMatchObject({ ts: Date.parse('2026-11-21T08:00:03Z'), level: 'WARN', message: 'disk 91% full', app: 'legacy' });
    const bad = p.process({ value: Buffer.from('ts=broken') }, Date.now());
    expect(bad.events).toHaveLength(0);
    expect(bad.deadLetters[0]?.reason).toContain('keyvalue');
    p.close();
  });

  it('refuses a rule set that names a parser no loaded plugin provides', () => {
    const { rules } = loadRules(RULES, 'yaml');
    expect(() => compilePipeline(rules, { parsers: new Map() })).toThrow(/no loaded plugin provides a parser named "keyvalue"/);
  });
});
