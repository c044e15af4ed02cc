import { describe, expect, it } from 'vitest';
import { LogfedError } from '../../errors/index.js';
import { checkRuleSet, loadRules, validateRule, type Rule } from './index.js';

const base = { version: 1, online: true };

/** One valid rule of every kind, as an operator would write them in YAML. */
const EXAMPLE = `
rules:
  - id: shop-app
    kind: dataType
    version: 1
    online: true
    identify: { all: [" --- ["] }
    fields: [pid, thread, logger, line]
  - id: nginx-json
    kind: dataType
    version: 2
    online: true
    format: json
    identify: { fields: { source: nginx } }
  - id: shop-app-parse
    kind: parse
    version: 3
    online: true
    dataType: shop-app
    parser: { type: logback }
    time: { timeZone: Asia/Shanghai }
    defaults: { domain: shop, env: prod, app: order-service, file: app.log }
    multiline: { maxLines: 200 }
  - id: nginx-parse
    kind: parse
    version: 1
    online: true
    dataType: nginx-json
    parser: { type: json }
    map: { ts: time_local, message: request }
  - id: pii
    kind: mask
    version: 1
    online: true
    detect: [phone, idCard, email, token, card]
    fields: [password]
  - id: sys-owner
    kind: dimension
    version: 1
    online: true
    sql: SELECT ip, system_name, owner FROM cmdb_host ORDER BY ip
    refreshSeconds: 300
  - id: shop-owned
    kind: dataType
    version: 1
    online: true
    fields: [logger, system, owner, minute]
  - id: add-owner
    kind: process
    version: 1
    online: true
    from: shop-app
    to: shop-owned
    where: [{ field: level, op: in, value: [WARN, ERROR] }]
    steps:
      - op: enrich
        dimension: sys-owner
        match: [{ kind: equals, column: ip, field: host }]
        set: { system: system_name, owner: owner }
      - { op: alignTime, to: minute }
`;

describe('loadRules', () => {
  it('reads a YAML rule set of every kind with defaults applied', () => {
    const { rules, rejected } = loadRules(EXAMPLE, 'yaml');
    expect(rejected).toEqual([]);
    expect(rules.map((r) => r.kind)).toEqual(['dataType', 'dataType', 'parse', 'parse', 'mask', 'dimension', 'dataType', 'process']);
    const parse = rules.find((r) => r.id === 'shop-app-parse') as Extract<Rule, { kind: 'parse' }>;
    expect(parse.multiline).toEqual({ maxLines: 200, maxBytes: 1024 * 1024, maxAgeMs: 5000 });
    const dataType = rules[0] as Extract<Rule, { kind: 'dataType' }>;
    expect(dataType).toMatchObject({ format: 'text', priority: 0, emit: true });
    expect(checkRuleSet(rules)).toEqual([]);
  });

  it('reads the same set as JSON, as a bare list', () => {
    const { rules } = loadRules(EXAMPLE, 'yaml');
    const again = loadRules(JSON.stringify(rules), 'json');
    expect(again.rejected).toEqual([]);
    expect(again.rules).toEqual(rules);
  });

  it('keeps the valid rules and reports each invalid one by path', () => {
    const text = JSON.stringify([
      { ...base, id: 'a', kind: 'dataType', identify: { any: ['x'] } },
      { ...base, id: 'b', kind: 'dataType', identify: { any: ['y'] }, colour: 'red' },
      { ...base, id: 'a', kind: 'dataType', identify: { any: ['z'] } },
      {
        ...base, id: 'p', kind: 'process', from: 'a', to: 'c',
        steps: [{ op: 'enrich', dimension: 'd', match: [{ kind: 'like', column: 'x', field: 'y' }], set: { s: 'x' } }],
      },
      { ...base, id: 'q', kind: 'metric' },
    ]);
    const { rules, rejected } = loadRules(text, 'json');
    expect(rules.map((r) => r.id)).toEqual(['a']);
    const lines = rejected.flatMap((r) => r.issues.map((i) => `${i.path}: ${i.message}`));
    expect(lines).toEqual([
      'rules[1].colour: unknown key',
      'rules[2].id: duplicate id "a" (first at rules[0])',
      'rules[3].steps[0].match[0].kind: expected one of equals|containsAll|sqlToken, got "like"',
      // a metric rule is checked by the metric stage's own schema, field by field
      'rules[4].period: Required',
      'rules[4].aggregations: Required',
    ]);
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3, 4]);
  });

  it('refuses text that is not a rule list at all', () => {
    expect(() => loadRules('rules: [', 'yaml')).toThrow(/not valid YAML/);
    expect(() => loadRules('{"rules": 3}', 'json')).toThrow(/expected a list of rules/);
  });
});

describe('validateRule', () => {
  const cases: [string, unknown, string][] = [
    ['missing version', { id: 'x', kind: 'mask', online: true }, 'version: is required (expected number)'],
    ['bad id', { ...base, id: '-x', kind: 'mask' }, 'id: expected an id of letters'],
    ['version 0', { ...base, version: 0, id: 'x', kind: 'mask' }, 'version: expected a number > 0, got 0'],
    ['online as text', { ...base, online: 'yes', id: 'x', kind: 'mask' }, 'online: expected boolean, got "yes"'],
    ['empty identify', { ...base, id: 't', kind: 'dataType', identify: {} }, 'identify: expected at least one of all|any|fields|headers|topics'],
    ['fields on text', { ...base, id: 't', kind: 'dataType', identify: { fields: { a: 1 } } }, 'identify.fields: needs format: json'],
    ['regex not RE2', { ...base, id: 'p', kind: 'parse', dataType: 't', parser: { type: 'regex', pattern: '(?<a>x)\\1' } }, 'parser.pattern: not a valid RE2 pattern'],
    ['regex without names', { ...base, id: 'p', kind: 'parse', dataType: 't', parser: { type: 'regex', pattern: '(\\w+)' } }, 'parser.pattern: expected at least one named group'],
    ['duplicate columns', { ...base, id: 'p', kind: 'parse', dataType: 't', parser: { type: 'delimiter', delimiter: '|', fields: ['a', '-', 'a'] } }, 'parser.fields[2]: duplicate field "a"'],
    ['multiline without start', { ...base, id: 'p', kind: 'parse', dataType: 't', parser: { type: 'regex', pattern: '(?P<m>.*)' }, multiline: {} }, 'multiline.start: is required for parser type regex'],
    ['bad time zone', { ...base, id: 'p', kind: 'parse', dataType: 't', parser: { type: 'logback' }, time: { timeZone: 'Mars/Base' } }, 'time.timeZone: expected a time zone'],
    ['writing SQL', { ...base, id: 'd', kind: 'dimension', sql: 'DELETE FROM hosts' }, 'sql: expected one SELECT'],
    ['two statements', { ...base, id: 'd', kind: 'dimension', sql: 'SELECT 1; DROP TABLE x' }, 'sql: expected one SELECT'],
    ['refresh too often', { ...base, id: 'd', kind: 'dimension', sql: 'SELECT 1', refreshSeconds: 1 }, 'refreshSeconds: expected a number >= 5, got 1'],
    ['A to A', { ...base, id: 'p', kind: 'process', from: 'a', to: 'a' }, 'to: must differ from `from`'],
    ['where without value', { ...base, id: 'p', kind: 'process', from: 'a', to: 'b', where: [{ field: 'x', op: 'equals' }] }, 'where[0].value: is required by op equals'],
    ['ts as text', { ...base, id: 'p', kind: 'process', from: 'a', to: 'b', steps: [{ op: 'unifyTime', field: 'time', to: 'ts' }] }, 'steps[0].format: the event time ts holds epoch ms'],
    ['unknown step', { ...base, id: 'p', kind: 'process', from: 'a', to: 'b', steps: [{ op: 'geohash' }] }, 'steps[0].op: expected one of enrich|alignTime|unifyTime|ipRegion|receiveTime, got "geohash"'],
    ['mask of nothing', { ...base, id: 'm', kind: 'mask', detect: [] }, 'detect: a mask rule needs at least one kind'],
    ['unknown mask kind', { ...base, id: 'm', kind: 'mask', detect: ['ssn'] }, 'detect[0]: expected one of phone|idCard|email|token|card, got "ssn"'],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    let error: unknown;
    try {
      validateRule(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LogfedError);
    expect((error as LogfedError).code).toBe('BAD_CONFIG');
    expect((error as LogfedError).message).toContain(expected);
    expect((error as LogfedError).details?.issues).toBeInstanceOf(Array);
  });

  it('returns the rule with defaults when it is valid', () => {
    const rule = validateRule({ ...base, id: 'm', kind: 'mask' });
    expect(rule).toMatchObject({ detect: ['phone', 'idCard', 'email', 'token', 'card'], fields: [] });
  });
});

describe('checkRuleSet', () => {
  const type = (id: string, extra: object = {}) => ({ ...base, id, kind: 'dataType', ...extra });
  const load = (list: object[]) => {
    const { rules, rejected } = loadRules(JSON.stringify(list), 'json');
    expect(rejected).toEqual([]);
    return rules;
  };

  it('names missing data types and dimensions, second parse rules and wrong parsers', () => {
    const rules = load([
      type('a', { identify: { any: ['x'] } }),
      type('b', { fields: ['owner'] }),
      { ...base, id: 'p1', kind: 'parse', dataType: 'a', parser: { type: 'json' } },
      { ...base, id: 'p2', kind: 'parse', dataType: 'a', parser: { type: 'logback' } },
      { ...base, id: 'p3', kind: 'parse', dataType: 'nope', parser: { type: 'logback' } },
      { ...base, id: 'm', kind: 'mask', dataTypes: ['ghost'] },
      {
        ...base, id: 'x', kind: 'process', from: 'a', to: 'b',
        steps: [{ op: 'enrich', dimension: 'dim', match: [{ kind: 'equals', column: 'c', field: 'f' }], set: { team: 'c' } }],
      },
    ]);
    expect(checkRuleSet(rules).map((i) => `${i.path}: ${i.message}`)).toEqual([
      'rules[id=p1].parser.type: data type "a" has format text; parser json does not fit it',
      'rules[id=p2].dataType: data type "a" already has parse rule "p1"',
      'rules[id=p3].dataType: unknown data type "nope" (or not online)',
      'rules[id=m].dataTypes[0]: unknown data type "ghost" (or not online)',
      'rules[id=x].steps[0].dimension: unknown dimension "dim"',
      'rules[id=x].steps[0]: writes "team", which data type "b" does not declare in its fields',
    ]);
  });

  it('finds process rules that feed each other in a loop', () => {
    const rules = load([
      type('a'), type('b'), type('c'),
      { ...base, id: 'ab', kind: 'process', from: 'a', to: 'b' },
      { ...base, id: 'bc', kind: 'process', from: 'b', to: 'c' },
      { ...base, id: 'ca', kind: 'process', from: 'c', to: 'a' },
    ]);
    expect(checkRuleSet(rules).map((i) => i.message)).toEqual(['process rules form a loop (a->b, b->c, c->a)']);
  });

  it('ignores offline rules unless asked', () => {
    const rules = load([type('a', { online: false }), { ...base, id: 'p', kind: 'parse', dataType: 'a', parser: { type: 'logback' } }]);
    expect(checkRuleSet(rules)).toHaveLength(1);
    expect(checkRuleSet(rules, { includeOffline: true })).toEqual([]);
  });
});
