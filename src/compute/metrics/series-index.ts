// Finds a series of one window by its key values without building a key string per event. One
// key field: its text maps straight to the series id. Several: each field's text maps to a small
// code in that field's dictionary (few and hot: apps, hosts, interfaces), and the tuple of codes
// to the id in one open-addressing table of Int32s, so a lookup touches one or two cache lines of
// the table instead of a chain of nested maps. Everything goes with the window.

import { textOf } from './event-field.js';

const EMPTY = -1;

export class SeriesIndex {
  private readonly dicts: Map<string, number>[];
  private readonly codes: Int32Array;
  private readonly stride: number;
  private table: Int32Array;
  private mask: number;
  private size = 0;

  /** fields: how many key fields the rule groups by. */
  constructor(private readonly fields: number) {
    this.dicts = Array.from({ length: fields }, () => new Map<string, number>());
    this.codes = new Int32Array(fields);
    this.stride = fields + 1;
    this.mask = fields < 2 ? 0 : 15;
    this.table = new Int32Array(fields < 2 ? 0 : 16 * this.stride).fill(EMPTY);
  }

  /** The id of the series whose key field i has the text of values[at[i]], or -1. */
  find(values: readonly unknown[], at: readonly number[]): number {
    const n = this.fields;
    if (n === 1) return this.dicts[0]!.get(textOf(values[at[0]!])) ?? EMPTY;
    if (n === 0) return this.size > 0 ? 0 : EMPTY;
    const codes = this.codes;
    for (let i = 0; i < n; i++) {
      const c = this.dicts[i]!.get(textOf(values[at[i]!]));
      if (c === undefined) return EMPTY;
      codes[i] = c;
    }
    const t = this.table;
    const stride = this.stride;
    for (let slot = this.hash() & this.mask; ; slot = (slot + 1) & this.mask) {
      const base = slot * stride;
      if (t[base] === EMPTY) return EMPTY;
      let i = 0;
      while (i < n && t[base + i] === codes[i]) i++;
      if (i === n) return t[base + n]!;
    }
  }

  /** Records a new series (one find() did not find) under its key texts, in key field order. */
  add(texts: readonly string[], id: number): void {
    const n = this.fields;
    this.size++;
    if (n === 0) return;
    if (n === 1) return void this.dicts[0]!.set(texts[0]!, id);
    if (this.size * 2 > this.mask + 1) this.grow();
    for (let i = 0; i < n; i++) {
      const dict = this.dicts[i]!;
      let c = dict.get(texts[i]!);
      if (c === undefined) dict.set(texts[i]!, (c = dict.size));
      this.codes[i] = c;
    }
    this.place(id);
  }

  private hash(): number {
    let h = 0x2545f491;
    for (let i = 0; i < this.fields; i++) h = Math.imul(h ^ this.codes[i]!, 0x9e3779b1);
    return h ^ (h >>> 15);
  }

  /** Puts the key in this.codes under id, in the first free slot from its hash on. */
  private place(id: number): void {
    const stride = this.stride;
    let slot = this.hash() & this.mask;
    while (this.table[slot * stride] !== EMPTY) slot = (slot + 1) & this.mask;
    this.table.set(this.codes, slot * stride);
    this.table[slot * stride + this.fields] = id;
  }

  private grow(): void {
    const old = this.table;
    const stride = this.stride;
    this.mask = this.mask * 2 + 1;
    this.table = new Int32Array((this.mask + 1) * stride).fill(EMPTY);
    for (let base = 0; base < old.length; base += stride) {
      if (old[base] === EMPTY) continue;
      this.codes.set(old.subarray(base, base + this.fields));
      this.place(old[base + this.fields]!);
    }
  }
}
