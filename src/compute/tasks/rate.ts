// A per-second rate over a sliding window, for a task's events/s: counts land in one-second
// buckets, and the rate is their sum over the window's completed seconds.

export class RateMeter {
  private readonly buckets: Float64Array;
  private second = -1;

  constructor(
    private readonly windowSeconds = 10,
    private readonly clock: () => number = Date.now,
  ) {
    this.buckets = new Float64Array(windowSeconds + 1);
  }

  mark(n = 1): void {
    this.roll();
    this.buckets[this.second % this.buckets.length]! += n;
  }

  /** Mean per second over the last `windowSeconds` whole seconds (the current one is still filling). */
  rate(): number {
    this.roll();
    let sum = 0;
    for (let i = 0; i < this.buckets.length; i++) if (i !== this.second % this.buckets.length) sum += this.buckets[i]!;
    return sum / this.windowSeconds;
  }

  /** Clears the buckets of the seconds that passed since the last call. */
  private roll(): void {
    const now = Math.floor(this.clock() / 1000);
    if (this.second === -1) this.second = now;
    const steps = Math.min(now - this.second, this.buckets.length);
    for (let i = 1; i <= steps; i++) this.buckets[(this.second + i) % this.buckets.length] = 0;
    if (now > this.second) this.second = now;
  }
}
