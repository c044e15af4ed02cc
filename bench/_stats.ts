// What the benchmarks share to turn runs into figures: the time a piece of work took (wall and
// this process's CPU), and medians and quantiles of samples.

export interface Timing {
  wall: number;
  cpu: number;
}

/** Wall and CPU seconds of a synchronous piece of work: CPU says how much of the wall this process got on a shared machine. */
export function measure(work: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  work();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/** The q-quantile of samples already sorted ascending (the lower one of two middles). */
export const quantileOfSorted = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export const quantile = (xs: readonly number[], q: number): number => quantileOfSorted([...xs].sort((a, b) => a - b), q);

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
