import { describe, expect, it } from 'vitest';
import { patternIdOf } from './hash.js';
import { createMiner, restoreMiner } from './index.js';

// Golden sequence, as Drain3 tests it: each line in order -> the template it gets and what the
// miner did. Later lines depend on earlier ones.
const SEQUENCE: Array<[line: string, template: string, change: 'created' | 'updated' | 'none']> = [
  ['Connected to 10.0.0.1:5432 in 12ms', 'Connected to <*>:<*> in <*>', 'created'],
  ['Connected to 10.0.0.2:5432 in 7ms', 'Connected to <*>:<*> in <*>', 'none'],
  // A host name where the first line had a digit-free word: value-like, so it generalises.
  ['Lease expired for worker-17 after 30 s', 'Lease expired for worker-<*> after <*> s', 'created'],
  ['Lease expired for worker-18 after 45 s', 'Lease expired for worker-<*> after <*> s', 'none'],
  ['Lease expired for <*> after 45 s', 'Lease expired for <*> after <*> s', 'updated'],
  // Plain words keep their own patterns until a position has taken more than three of them.
  ['Invalid user admin from 10.1.1.1', 'Invalid user admin from <*>', 'created'],
  ['Invalid user oracle from 10.1.1.2', 'Invalid user oracle from <*>', 'created'],
  ['Invalid user test from 10.1.1.3', 'Invalid user test from <*>', 'created'],
  ['Invalid user guest from 10.1.1.4', 'Invalid user <*> from <*>', 'updated'],
  ['Invalid user deploy from 10.1.1.5', 'Invalid user <*> from <*>', 'none'],
  ['Invalid user admin from 10.1.1.9', 'Invalid user <*> from <*>', 'none'],
  // A value where the pattern has a word: the word was one value of that variable.
  ['reverse lookup for gateway failed', 'reverse lookup for gateway failed', 'created'],
  ['reverse lookup for 10.2.2.2 failed', 'reverse lookup for <*> failed', 'updated'],
  // Dotted leaders of another length belong to another label.
  ['cache flush enable..............0', 'cache flush enable..............<*>', 'created'],
  ['cache flush: retries......................0', 'cache flush: retries......................<*>', 'created'],
  // Three states stay three patterns.
  ['Node state changed to RUNNING', 'Node state changed to RUNNING', 'created'],
  ['Node state changed to PAUSED', 'Node state changed to PAUSED', 'created'],
  ['Node state changed to STOPPED', 'Node state changed to STOPPED', 'created'],
  ['Node state changed to RUNNING', 'Node state changed to RUNNING', 'none'],
  // Numbered names (`t1`, `t3`) are values; the states around them are not.
  ['Task t1 moved from NEW to RUNNING', 'Task t1 moved from NEW to RUNNING', 'created'],
  ['Task t2 moved from RUNNING to DONE', 'Task t2 moved from RUNNING to DONE', 'created'],
  ['Task t3 moved from NEW to RUNNING', 'Task <*> moved from NEW to RUNNING', 'updated'],
  // A word before the key is a different event, not a value.
  ['session opened for user alice by (uid=1000)', 'session opened for user alice by (uid=<*>)', 'created'],
  ['session opened for user bob by LOGIN(uid=0)', 'session opened for user bob by LOGIN(uid=<*>)', 'created'],
  // A list of values keeps its length here; the top pattern joins lists of any length.
  ['Deleting blocks blk_1001 blk_1002 blk_1003', 'Deleting blocks <*> <*> <*>', 'created'],
  ['Deleting blocks blk_1011', 'Deleting blocks <*>', 'created'],
  // Bare punctuation is structure, not a value.
  ['Fan speeds ( 3552 3534 **** 3479 )', 'Fan speeds ( <*> <*> **** <*> )', 'created'],
  ['Fan speeds ( 3552 3534 3502 3479 )', 'Fan speeds ( <*> <*> <*> <*> )', 'created'],
  ['disk /dev/sda1 is 93% full', 'disk <*> is <*> full', 'created'],
  ['disk /dev/sdb2 is 97% full', 'disk <*> is <*> full', 'none'],
  // ...but a path, a status and a duration are three values.
  ['GET /api/orders?id=7 200 12ms', 'GET <*> <*> <*>', 'created'],
  ['login failed at Sat Jun 18 02:08:10 2005 for root', 'login failed at <*> for root', 'created'],
  ['login failed at Sun Jul 3 11:00:01 2005 for root', 'login failed at <*> for root', 'none'],
];

describe('createMiner: golden sequence', () => {
  const miner = createMiner();
  it.each(SEQUENCE.map((row, i) => [i, ...row] as const))('#%i %s', (_i, line, template, change) => {
    const r = miner.add(line);
    expect(r.template).toBe(template);
    expect(r.change).toBe(change);
    expect(r.patternId).toBe(patternIdOf(template));
  });
});

describe('createMiner: the stream and the final state agree', () => {
  // Whatever the order, each message's id at add time resolves to the pattern that matches
  // it once everything is mined, so stored ids can always be followed to the final pattern.
  it.each([1, 2, 3, 4])('in shuffled order %i', (seed) => {
    let x = seed;
    const lines = SEQUENCE.map(([line]) => line).sort(() => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 16) % 3 - 1;
    });
    const m = createMiner();
    const ids = lines.map((l) => m.add(l).patternId);
    lines.forEach((l, i) => expect(m.match(l)?.id).toBe(m.resolve(ids[i]!)));
  });
});

describe('createMiner: ids, links and matching', () => {
  it('gives the same template the same id in every miner', () => {
    const a = createMiner();
    const b = createMiner();
    b.add('unrelated warm-up line');
    expect(a.add('Disk quota 91% on /data').patternId).toBe(b.add('Disk quota 93% on /home').patternId);
  });

  it('links the id a template had to the id it generalised into', () => {
    const m = createMiner();
    const first = m.add('Lease expired for worker-17 after 30 s');
    const second = m.add('Lease expired for <*> after 45 s');
    expect(second.change).toBe('updated');
    expect(second.previousPatternId).toBe(first.patternId);
    expect(second.mergedPatternIds).toContain(first.patternId);
    expect(m.resolve(first.patternId)).toBe(second.patternId);
    expect(m.resolve(second.patternId)).toBe(second.patternId);
  });

  it('links every folded sibling to the pattern that took them in', () => {
    const m = createMiner();
    const ids = ['a', 'b', 'c'].map((u) => m.add(`Invalid user ${u}x from 10.0.0.1`).patternId);
    const folded = m.add('Invalid user dx from 10.0.0.1');
    expect(folded.template).toBe('Invalid user <*> from <*>');
    for (const id of ids) expect(m.resolve(id)).toBe(folded.patternId);
    expect(m.patterns().map((p) => p.template)).toEqual(['Invalid user <*> from <*>']);
    expect(m.patterns()[0]!.count).toBe(4);
  });

  it('honours maxSiblings', () => {
    const m = createMiner({ maxSiblings: 5 });
    for (const u of ['a', 'b', 'c', 'd', 'e']) m.add(`Invalid user ${u}x from 10.0.0.1`);
    expect(m.patterns()).toHaveLength(5);
    m.add('Invalid user fx from 10.0.0.1');
    expect(m.patterns()).toHaveLength(1);
  });

  it('matches without learning', () => {
    const m = createMiner();
    m.add('Connected to 10.0.0.1:5432 in 12ms');
    expect(m.match('Connected to 10.9.9.9:5432 in 3ms')?.template).toBe('Connected to <*>:<*> in <*>');
    expect(m.match('something else entirely')).toBeUndefined();
    expect(m.stats().messages).toBe(1);
    expect(m.patterns()[0]!.count).toBe(1);
  });

  it('keeps first and last seen from the timestamps it is given, and a sample', () => {
    const m = createMiner();
    m.add('job 1 done', 2_000);
    m.add('job 2 done', 1_000);
    m.add('job 3 done', 3_000);
    m.add('job 4 done');
    const [p] = m.patterns();
    expect(p).toMatchObject({ template: 'job <*> done', count: 4, firstSeen: 1_000, lastSeen: 3_000, sample: 'job 1 done' });
  });

  it('rejects unknown and out-of-range options, naming the field', () => {
    expect(() => createMiner({ similarity: 2 })).toThrow(/similarity.*\[0, 1\].*got 2/);
    expect(() => createMiner({ maxSiblings: 1.5 })).toThrow(/maxSiblings.*integer/);
    expect(() => createMiner({ depth: 4 } as never)).toThrow(/"depth" is unknown/);
  });
});

describe('snapshot and restoreMiner', () => {
  const lines = [
    'Connected to 10.0.0.1:5432 in 12ms',
    'Invalid user admin from 10.1.1.1',
    'Invalid user oracle from 10.1.1.2',
    'Node state changed to RUNNING',
    'Lease expired for worker-17 after 30 s',
    'Invalid user test from 10.1.1.3',
    'Invalid user guest from 10.1.1.4',
    'Lease expired for <*> after 45 s',
    'Node state changed to PAUSED',
    'Connected to 10.0.0.2:5432 in 7ms',
  ];

  it('continues where it stopped, with the same ids, across a JSON round trip', () => {
    const straight = createMiner();
    const expected = lines.map((l, i) => straight.add(l, i));

    const first = createMiner();
    lines.slice(0, 5).forEach((l, i) => first.add(l, i));
    const state = JSON.parse(JSON.stringify(first.snapshot()));
    const resumed = restoreMiner(state);
    const rest = lines.slice(5).map((l, i) => resumed.add(l, i + 5));

    expect(rest).toEqual(expected.slice(5));
    expect(resumed.patterns()).toEqual(straight.patterns());
    expect(resumed.stats()).toEqual(straight.stats());
    // Ids that generalised before the snapshot still resolve after it.
    for (const r of expected) expect(resumed.resolve(r.patternId)).toBe(straight.resolve(r.patternId));
  });

  it('refuses what is not a snapshot', () => {
    expect(() => restoreMiner({ version: 2 } as never)).toThrow(/version 1/);
  });
});
