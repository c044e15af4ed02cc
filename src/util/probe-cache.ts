// A few recent entries, found by a cheap probe string (a list's length and ends, say) and then
// checked in full by the caller, since different entries may share a probe. Once `kept` are held,
// all are dropped and it fills again: lists that repeat come back within a few queries.

export class ProbeCache<T> {
  private readonly byProbe = new Map<string, T[]>();
  private held = 0;

  constructor(private readonly kept: number) {}

  /** The first entry under `probe` that `matches` accepts. */
  find(probe: string, matches: (entry: T) => boolean): T | undefined {
    return this.byProbe.get(probe)?.find(matches);
  }

  add(probe: string, entry: T): void {
    if (this.held >= this.kept) {
      this.byProbe.clear();
      this.held = 0;
    }
    const same = this.byProbe.get(probe);
    if (same) same.push(entry);
    else this.byProbe.set(probe, [entry]);
    this.held++;
  }
}
