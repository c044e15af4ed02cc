import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateRule } from '../rules/index.js';
import { createFileRuleStore } from './files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logfed-rules-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TYPE = { id: 'app', kind: 'dataType', version: 1, online: true, identify: { all: [' --- ['] } };

describe('file rule store', () => {
  it('reads every rule file of the folder in name order, JSON and YAML alike', async () => {
    writeFileSync(join(dir, 'b.yaml'), 'rules:\n  - { id: app-parse, kind: parse, version: 2, online: true, dataType: app, parser: { type: logback } }\n');
    writeFileSync(join(dir, 'a.json'), JSON.stringify([TYPE]));
    writeFileSync(join(dir, 'notes.txt'), 'not rules');
    const snap = await createFileRuleStore({ dir }).snapshot();
    expect(snap.rejected).toEqual([]);
    expect(snap.rules.map((r) => [r.id, r.kind, r.version])).toEqual([
      ['app', 'dataType', 1],
      ['app-parse', 'parse', 2],
    ]);
    // Defaults are applied on load.
    expect(snap.rules[1]!.rule).toMatchObject({ map: {}, time: { timeZone: 'UTC' } });
  });

  it('reports each invalid rule with its file and field, and a second file defining an id again', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'rules:\n  - { id: app, kind: dataType, version: 1, online: true }\n  - { id: bad, kind: parse, version: 1, online: true, dataType: app, parser: { type: csv } }\n');
    writeFileSync(join(dir, 'b.yaml'), 'rules:\n  - { id: app, kind: dataType, version: 5, online: true }\n');
    writeFileSync(join(dir, 'c.yaml'), 'rules: [ {');
    const snap = await createFileRuleStore({ dir }).snapshot();
    expect(snap.rules.map((r) => `${r.id}@${r.version}`)).toEqual(['app@1']);
    const [bad, dup, broken] = snap.rejected;
    expect(bad).toMatchObject({ id: 'bad', where: 'a.yaml#rules[1]' });
    expect(bad!.issues).toEqual([{ path: 'a.yaml#rules[1].parser.type', message: 'expected one of regex|delimiter|json|logback|plugin, got "csv"' }]);
    expect(dup!.issues[0]!.message).toBe('duplicate id "app" (first in a.yaml)');
    expect(broken!.where).toBe('c.yaml');
    expect(broken!.issues[0]!.message).toMatch(/not valid YAML/);
  });

  it('keeps API saves over the files until a file carries a higher version, and refuses a changed rule at the same version', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify([TYPE]));
    const store = createFileRuleStore({ dir });
    const v2 = validateRule({ ...TYPE, version: 2, priority: 5 });
    await store.put(v2, v2);
    expect((await store.snapshot()).rules[0]).toMatchObject({ version: 2, rule: { priority: 5 } });
    await expect(store.put(validateRule({ ...TYPE, version: 2, priority: 6 }), {})).rejects.toMatchObject({ code: 'CONFLICT' });
    // Saving the same rule again changes nothing.
    expect((await store.put(v2, v2)).version).toBe(2);

    await store.setOnline('app', false);
    expect((await store.snapshot()).rules[0]).toMatchObject({ version: 2, online: false });
    expect(await store.setOnline('nope', true)).toBeUndefined();

    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ ...TYPE, version: 3 }]));
    expect((await store.snapshot()).rules[0]).toMatchObject({ version: 3, online: true });
  });

  it('marks the refresh time of the version a task loaded only', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify([TYPE]));
    const store = createFileRuleStore({ dir });
    await store.markRefreshed([{ id: 'app', version: 1 }], 1234);
    expect((await store.snapshot()).rules[0]!.refreshedAt).toBe(1234);
    const v2 = validateRule({ ...TYPE, version: 2 });
    await store.put(v2, v2);
    expect((await store.snapshot()).rules[0]!.refreshedAt).toBeUndefined();
  });

  it('reports a folder it cannot read instead of throwing', async () => {
    const snap = await createFileRuleStore({ dir: join(dir, 'missing') }).snapshot();
    expect(snap.rules).toEqual([]);
    expect(snap.rejected[0]!.issues[0]!.message).toMatch(/cannot read the rules folder/);
  });
});
