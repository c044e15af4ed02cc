// The open windows of one windowed rule: finds the window for an event time, refuses times whose
// window already closed (late), caps the series per window, remembers the oldest offset each
// partition still has in an open window, and hands back windows as the watermark passes them.
// Metric and composite aggregators keep their per-series state in it.

import { labelOf, windowStartOf, type Labelling } from './period.js';

export interface WindowSetOptions {
  periodMs: number;
  labelling: Labelling;
  /** How long past its end a window waits for stragglers before it closes. */
  allowedLatenessMs: number;
  /** Series per window; past it new series are refused and counted. */
  maxSeries: number;
}

export interface OpenWindow<S, D = undefined> {
  readonly start: number;
  readonly end: number;
  readonly label: number;
  /** The window's series, in the order they opened. */
  readonly series: S[];
  /** Lowest offset per partition of the events this window holds. */
  readonly minOffsets: Map<number, number>;
  /** The owning stage's lookup structure over the series (a flat or nested map). */
  readonly index: Map<unknown, unknown>;
  /** Whatever else the owning stage keeps per window (made by the WindowSet's makeData). */
  readonly data: D;
  dropped: number;
  // The partition of the previous offset and its minimum: consecutive events mostly share one.
  hotPartition: number;
  hotMin: number;
}

/** A window that refused new series because it reached the cap: a "metric storm". */
export interface SeriesStorm {
  label: number;
  windowStart: number;
  cap: number;
  dropped: number;
}

export class WindowSet<S, D = undefined> {
  readonly opts: Readonly<WindowSetOptions>;
  private readonly windows = new Map<number, OpenWindow<S, D>>();
  // Most events land in the newest window; checking it first skips a hash lookup.
  private recent: OpenWindow<S, D> | undefined;
  private wm = Number.NEGATIVE_INFINITY;
  private stormy: OpenWindow<S, D>[] = [];
  droppedSeries = 0;

  constructor(
    opts: WindowSetOptions,
    private readonly makeData: () => D = () => undefined as D,
  ) {
    this.opts = opts;
  }

  get watermark(): number {
    return this.wm;
  }

  /** The open window holding ts, opened if need be; undefined when that window has closed. */
  windowFor(ts: number): OpenWindow<S, D> | undefined {
    const r = this.recent;
    if (r !== undefined && ts >= r.start && ts < r.end) return r;
    return this.windowAt(windowStartOf(ts, this.opts.periodMs));
  }

  /** Same as windowFor, for a caller that already knows the window start (merges, restores). */
  windowAt(start: number): OpenWindow<S, D> | undefined {
    const { periodMs, allowedLatenessMs, labelling } = this.opts;
    let w = this.windows.get(start);
    if (w === undefined) {
      if (start + periodMs + allowedLatenessMs <= this.wm) return undefined;
      w = { start, end: start + periodMs, label: labelOf(start, periodMs, labelling), series: [], minOffsets: new Map(), index: new Map(), data: this.makeData(), dropped: 0, hotPartition: -1, hotMin: 0 };
      this.windows.set(start, w);
    }
    this.recent = w;
    return w;
  }

  /** Adds a series unless the window is at its cap; a refusal is counted and reported once per window. */
  addSeries(w: OpenWindow<S, D>, state: S): boolean {
    if (w.series.length >= this.opts.maxSeries) {
      if (w.dropped++ === 0) this.stormy.push(w);
      this.droppedSeries++;
      return false;
    }
    w.series.push(state);
    return true;
  }

  /** The series filed under `id` in the window; one made by `make` is added unless the window is at its cap. */
  seriesById(w: OpenWindow<S, D>, id: string, make: () => S): S | undefined {
    const index = w.index as Map<string, S>;
    let series = index.get(id);
    if (series === undefined) {
      series = make();
      if (!this.addSeries(w, series)) return undefined;
      index.set(id, series);
    }
    return series;
  }

  noteOffset(w: OpenWindow<S, D>, partition: number, offset: number): void {
    if (partition === w.hotPartition) {
      if (offset < w.hotMin) w.minOffsets.set(partition, (w.hotMin = offset));
      return;
    }
    const cur = w.minOffsets.get(partition);
    if (cur === undefined || offset < cur) w.minOffsets.set(partition, offset);
    w.hotPartition = partition;
    w.hotMin = cur === undefined || offset < cur ? offset : cur;
  }

  /** Closes, in time order, every window whose end plus the allowed lateness the watermark reached. */
  advance(watermark: number): OpenWindow<S, D>[] {
    if (watermark > this.wm) this.wm = watermark;
    const limit = this.wm - this.opts.allowedLatenessMs;
    const closed: OpenWindow<S, D>[] = [];
    for (const w of this.windows.values()) if (w.end <= limit) closed.push(w);
    return this.remove(closed);
  }

  /** Closes every open window (shutdown, end of a bounded input). */
  flush(): OpenWindow<S, D>[] {
    return this.remove([...this.windows.values()]);
  }

  /** The end of the newest window that is certainly closed: downstream stages may advance to it. */
  closedThrough(): number {
    if (this.wm === Number.NEGATIVE_INFINITY) return this.wm;
    return windowStartOf(this.wm - this.opts.allowedLatenessMs, this.opts.periodMs);
  }

  /** Oldest offset of `partition` still held in an open window; committing past it could lose data. */
  oldestOffset(partition: number): number | undefined {
    let min: number | undefined;
    for (const w of this.windows.values()) {
      const o = w.minOffsets.get(partition);
      if (o !== undefined && (min === undefined || o < min)) min = o;
    }
    return min;
  }

  openWindows(): IterableIterator<OpenWindow<S, D>> {
    return this.windows.values();
  }

  openSeries(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.series.length;
    return n;
  }

  /** Windows that started refusing series since the last call, with what they refused so far. */
  drainStorms(): SeriesStorm[] {
    const out = this.stormy.map((w) => ({ label: w.label, windowStart: w.start, cap: this.opts.maxSeries, dropped: w.dropped }));
    this.stormy = [];
    return out;
  }

  /** Sets the watermark from a checkpoint so replayed events of already emitted windows count as late. */
  restoreWatermark(watermark: number): void {
    if (watermark > this.wm) this.wm = watermark;
  }

  private remove(closed: OpenWindow<S, D>[]): OpenWindow<S, D>[] {
    closed.sort((a, b) => a.start - b.start);
    for (const w of closed) this.windows.delete(w.start);
    if (this.recent !== undefined && !this.windows.has(this.recent.start)) this.recent = undefined;
    return closed;
  }
}
