// Where a simple metric keeps its series inside one open window: each series is a small integer
// id, found through a SeriesIndex by its key values; its numeric kernels' state sits in a flat
// Float64Array at id × width and its other kernels' state in a flat array at id × (number of
// such kernels). Ids, slots and states of a window go when the window closes.

import type { OpenWindow } from '../windows/window-set.js';
import type { Kernel } from './kernels.js';
import { SeriesIndex } from './series-index.js';

export interface SeriesColumns {
  index: SeriesIndex;
  slots: Float64Array;
  objs: unknown[];
}

export type SeriesWindow = OpenWindow<Record<string, string>, SeriesColumns>;

/** The layout shared by every window of one rule: which kernel keeps its state where. */
export class SeriesLayout {
  /** Slots per series, and where each kernel's start (-1 for object kernels). */
  readonly width: number;
  readonly slotAt: number[];
  /** Object kernels per series, and each kernel's place among them (-1 for numeric kernels). */
  readonly objWidth: number;
  readonly objAt: number[];
  private readonly initial: Float64Array;

  constructor(
    readonly kernels: readonly Kernel[],
    private readonly keyFields: number,
  ) {
    let width = 0;
    let objWidth = 0;
    this.slotAt = kernels.map((k) => (k.width > 0 ? ((width += k.width), width - k.width) : -1));
    this.objAt = kernels.map((k) => (k.width === 0 ? objWidth++ : -1));
    this.width = width;
    this.objWidth = objWidth;
    this.initial = new Float64Array(width);
    kernels.forEach((k, i) => k.width > 0 && k.store!(this.initial, this.slotAt[i]!, k.init()));
  }

  columns = (): SeriesColumns => ({ index: new SeriesIndex(this.keyFields), slots: new Float64Array(this.width * 16), objs: [] });

  /** Indexes a series just added to w.series (id = its place) under its key texts and gives it its initial state. */
  open(w: SeriesWindow, id: number, texts: readonly string[]): void {
    const c = w.data;
    c.index.add(texts, id);
    const end = (id + 1) * this.width;
    if (end > c.slots.length) {
      const grown = new Float64Array(Math.max(end, c.slots.length * 2));
      grown.set(c.slots);
      c.slots = grown;
    }
    c.slots.set(this.initial, id * this.width);
    for (const k of this.kernels) if (k.width === 0) c.objs.push(k.init());
  }

  /** A kernel's state of one series, as the kernel's merge/encode/result take it. */
  state(w: SeriesWindow, id: number, i: number): unknown {
    const k = this.kernels[i]!;
    return k.width > 0 ? k.load!(w.data.slots, id * this.width + this.slotAt[i]!) : w.data.objs[id * this.objWidth + this.objAt[i]!];
  }

  /** Writes back a state taken with state() and changed in place (numeric kernels live in slots). */
  put(w: SeriesWindow, id: number, i: number, s: unknown): void {
    const k = this.kernels[i]!;
    if (k.width > 0) k.store!(w.data.slots, id * this.width + this.slotAt[i]!, s);
  }
}
