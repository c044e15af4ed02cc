import { describe, expect, it } from 'vitest';
import { startsLogbackEvent } from './logback.js';
import { MultilineJoiner } from './multiline.js';

const limits = { maxLines: 100, maxBytes: 1 << 20, maxAgeMs: 5000 };
const texts = (joined: { text: string }[]) => joined.map((j) => j.text);

describe('MultilineJoiner', () => {
  const TRACE = [
    '2026-11-21 10:15:03.000 ERROR 7 --- [main] [] a.B-1 : boom',
    'java.lang.IllegalStateException: boom',
    '\tat a.B.run(B.java:1)',
    '\tat a.C.main(C.java:9)',
    '2026-11-21 10:15:04.000  INFO 7 --- [main] [] a.B-2 : next',
  ];

  it('joins a stack trace into the event it follows', () => {
    const j = new MultilineJoiner<number>(startsLogbackEvent, limits);
    const done = TRACE.flatMap((line, i) => j.push(line, i, 0));
    expect(texts(done)).toEqual([TRACE.slice(0, 4).join('\n')]);
    expect(done[0]!.items).toEqual([0, 1, 2, 3]);
    expect(done[0]!.lines).toBe(4);
    expect(texts(j.flush())).toEqual([TRACE[4]]);
    expect(j.flush()).toEqual([]);
  });

  it('drops lines past maxLines and flags the event', () => {
    const j = new MultilineJoiner<number>(startsLogbackEvent, { ...limits, maxLines: 2 });
    TRACE.slice(0, 4).forEach((line, i) => j.push(line, i, 0));
    const [event] = j.flush();
    expect(event!.text).toBe(TRACE.slice(0, 2).join('\n'));
    expect(event!.truncated).toBe(true);
    expect(event!.items).toEqual([0, 1, 2, 3]);
  });

  it('drops lines past maxBytes', () => {
    const j = new MultilineJoiner<number>(() => false, { ...limits, maxBytes: 10 });
    j.start('12345', 0, 0);
    expect(j.append('1234', 1)).toBe(true);
    expect(j.append('x', 2)).toBe(false);
    expect(j.flush()[0]).toMatchObject({ text: '12345\n1234', truncated: true });
  });

  it('releases an event older than maxAgeMs on advance, and does not join onto it afterwards', () => {
    const j = new MultilineJoiner<number>(startsLogbackEvent, { ...limits, maxAgeMs: 1000 });
    j.push(TRACE[0]!, 0, 10_000);
    expect(j.advance(10_999)).toEqual([]);
    expect(j.continues(TRACE[1]!, 10_999)).toBe(true);
    expect(j.continues(TRACE[1]!, 11_000)).toBe(false);
    expect(texts(j.advance(11_000))).toEqual([TRACE[0]]);
    expect(j.hasPending).toBe(false);
  });

  it('starts a new event with a continuation line that has nothing to continue', () => {
    const j = new MultilineJoiner<number>(startsLogbackEvent, limits);
    expect(j.push('\tat orphan', 0, 0)).toEqual([]);
    expect(texts(j.flush())).toEqual(['\tat orphan']);
  });
});
