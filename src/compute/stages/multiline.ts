// Joins continuation lines (stack traces, wrapped messages) into one event before parsing. One
// joiner serves one stream (topic, partition, source key): lines that do not start an event are
// appended to the pending one, within bounds on lines, bytes and age so nothing grows without limit.

export interface MultilineLimits {
  maxLines: number;
  maxBytes: number;
  maxAgeMs: number;
}

export interface Joined<T> {
  text: string;
  /** The records the event was joined from, in order (dropped lines' records included). */
  items: T[];
  lines: number;
  /** Lines were dropped at a bound; the event is flagged like a truncated record. */
  truncated: boolean;
}

interface Pending<T> {
  /** The first line; most events have no other, so the list of lines is made only for a second. */
  first: string;
  rest: string[] | undefined;
  items: T[];
  bytes: number;
  startedAt: number;
  truncated: boolean;
}

export class MultilineJoiner<T> {
  private pending: Pending<T> | undefined;

  constructor(
    readonly isStart: (line: string) => boolean,
    readonly limits: MultilineLimits,
  ) {}

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** The first item of the pending event, if one is waiting. */
  get firstItem(): T | undefined {
    return this.pending?.items[0];
  }

  /** True when `line` would be appended to the pending event rather than start a new one. */
  continues(line: string, now: number): boolean {
    return this.pending !== undefined && !this.aged(now) && !this.isStart(line);
  }

  /** Feeds one line; returns the events it completed (none, or the one it closed). */
  push(line: string, item: T, now: number, bytes = line.length): Joined<T>[] {
    if (this.continues(line, now)) {
      this.append(line, item, bytes);
      return [];
    }
    const done = this.flush();
    this.start(line, item, now, bytes);
    return done;
  }

  start(line: string, item: T, now: number, bytes = line.length): void {
    this.pending = { first: line, rest: undefined, items: [item], bytes, startedAt: now, truncated: false };
  }

  /** Adds a continuation line; false when a bound dropped it (the event is then flagged truncated). */
  append(line: string, item: T, bytes = line.length): boolean {
    const p = this.pending;
    if (!p) {
      this.start(line, item, 0, bytes);
      return true;
    }
    p.items.push(item);
    const lines = 1 + (p.rest?.length ?? 0);
    if (lines >= this.limits.maxLines || p.bytes + 1 + bytes > this.limits.maxBytes) {
      p.truncated = true;
      return false;
    }
    (p.rest ??= []).push(line);
    p.bytes += 1 + bytes;
    return true;
  }

  /** Releases the pending event when it has waited longer than maxAgeMs. */
  advance(now: number): Joined<T>[] {
    return this.aged(now) ? this.flush() : [];
  }

  /** Releases the pending event, whatever its age. */
  flush(): Joined<T>[] {
    const p = this.pending;
    if (!p) return [];
    this.pending = undefined;
    const text = p.rest === undefined ? p.first : `${p.first}\n${p.rest.join('\n')}`;
    return [{ text, items: p.items, lines: 1 + (p.rest?.length ?? 0), truncated: p.truncated }];
  }

  private aged(now: number): boolean {
    return this.pending !== undefined && now - this.pending.startedAt >= this.limits.maxAgeMs;
  }
}
