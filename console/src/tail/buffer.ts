// The live tail's bounded buffer between the WebSocket and the screen. Events queue as they
// arrive and the page takes them once per frame; when the page cannot keep up the queue drops
// its oldest events and counts them, beside what the gateway reported dropping for us. Lines
// from many apps arrive a little out of order; each is placed by its time among the recent ones.

export interface TailCounts {
  /** Events received over the subscription. */
  received: number;
  /** Events the gateway dropped for this subscriber (the sum of TailEvent.dropped). */
  droppedByServer: number;
  /** Events this page dropped because rendering fell behind. */
  droppedByBrowser: number;
}

const REORDER_WINDOW = 200;

export class TailBuffer<T extends { ts: string; dropped?: number | null }> {
  private queue: T[] = [];
  private lines: T[] = [];
  private shown = 0;
  readonly counts: TailCounts = { received: 0, droppedByServer: 0, droppedByBrowser: 0 };

  /**
   * @param maxPending events waiting for the next frame; beyond it the oldest are dropped.
   * @param maxLines lines kept on screen; older ones scroll out (not counted as dropped).
   */
  constructor(readonly maxPending = 2000, readonly maxLines = 5000) {
    if (!(maxPending > 0) || !(maxLines > 0)) throw new Error(`TailBuffer: maxPending and maxLines must be positive, got ${maxPending} and ${maxLines}`);
  }

  push(event: T): void {
    this.counts.received++;
    this.counts.droppedByServer += event.dropped ?? 0;
    this.queue.push(event);
    const over = this.queue.length - this.maxPending;
    if (over > 0) {
      this.queue.splice(0, over);
      this.counts.droppedByBrowser += over;
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Moves up to `max` queued events onto the screen; answers whether anything changed. */
  drain(max = Number.POSITIVE_INFINITY): boolean {
    if (this.queue.length === 0) return false;
    const taken = this.queue.splice(0, Math.min(max, this.queue.length));
    this.shown += taken.length;
    const lines = this.lines.slice();
    for (const e of taken) {
      // Only the last REORDER_WINDOW lines are looked at: a line later than that goes last.
      const t = Date.parse(e.ts);
      let at = lines.length;
      const stop = Math.max(0, lines.length - REORDER_WINDOW);
      while (at > stop && Date.parse(lines[at - 1]!.ts) > t) at--;
      lines.splice(at, 0, e);
    }
    this.lines = lines;
    if (this.lines.length > this.maxLines) this.lines = this.lines.slice(this.lines.length - this.maxLines);
    return true;
  }

  /** What is on screen, oldest first. A new array after each change, so views can compare. */
  get visible(): readonly T[] {
    return this.lines;
  }

  /** The position of the first visible line among all lines ever shown: a stable key per line. */
  get firstIndex(): number {
    return this.shown - this.lines.length;
  }

  clear(): void {
    this.queue = [];
    this.lines = [];
    this.counts.received = 0;
    this.counts.droppedByServer = 0;
    this.counts.droppedByBrowser = 0;
  }
}
