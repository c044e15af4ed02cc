import { describe, expect, it } from 'vitest';
import { computeConfigSchema, deadLetterTopicOf, groupIdOf } from './config.js';

const issues = (raw: unknown) => {
  const r = computeConfigSchema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('compute config', () => {
  it('fills defaults and names the group and dead-letter topic after the task', () => {
    const c = computeConfigSchema.parse({ rules: { dir: 'rules' }, tasks: [{ id: 'shop', topics: ['shop.raw'], rules: ['shop.*'] }] });
    expect(c.rules).toEqual({ source: 'files', dir: 'rules', tablePrefix: 'logfed_', refreshSeconds: 300 });
    const t = c.tasks[0]!;
    expect(t).toMatchObject({ startFrom: 'latest', tail: true, autoStart: true, concurrency: 3 });
    expect(groupIdOf(t)).toBe('logfed-task-shop');
    expect(deadLetterTopicOf(t)).toBe('logfed-task-shop-dlq');
  });

  it('refuses unknown keys, duplicate ids, bad topics and rule refs, and file rules without a folder', () => {
    expect(issues({ tasks: [], extra: 1 })).toEqual([": Unrecognized key(s) in object: 'extra'"]);
    expect(
      issues({
        rules: { dir: 'r' },
        tasks: [
          { id: 'a', topics: ['ok'], rules: ['x'] },
          { id: 'a', topics: ['no spaces'], rules: ['bad id!'], startFrom: 'middle' },
        ],
      }),
    ).toEqual([
      "tasks.1.topics.0: expected a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)",
      'tasks.1.startFrom: Invalid enum value. Expected \'earliest\' | \'latest\', received \'middle\'',
      'tasks.1.rules.0: expected a rule id, or an id prefix ending in * (demo.*)',
    ]);
    expect(issues({ rules: { dir: 'r' }, tasks: [{ id: 'a', topics: ['t'], rules: ['x'] }, { id: 'a', topics: ['t'], rules: ['x'] }] })).toEqual([
      'tasks.1.id: duplicate task id "a" (first at tasks[0])',
    ]);
    expect(issues({ tasks: [{ id: 'a', topics: ['t'], rules: ['x'] }] })).toEqual(['rules.dir: is required when tasks run on file rules (source: files)']);
  });
});
