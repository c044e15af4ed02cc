// Circuit breakers, one per logstore, kept by the engine across queries. After `failures`
// consecutive failures a logstore is skipped ("circuit open") for `coolDownMs`; then a single
// probe query is let through (half-open): success closes the circuit, failure opens it again.
// Cancellations say nothing about the backend's health and count neither way.

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failures: number;
  coolDownMs: number;
  now?: () => number;
}

export type Admission = 'allow' | 'probe' | 'reject';

interface Circuit {
  failures: number;
  openedAt?: number;
  probing: boolean;
}

export const DEFAULT_BREAKER: BreakerOptions = { failures: 5, coolDownMs: 30_000 };

export class BreakerRegistry {
  private readonly circuits = new Map<string, Circuit>();
  private readonly now: () => number;

  constructor(private readonly opts: BreakerOptions = DEFAULT_BREAKER) {
    if (!Number.isInteger(opts.failures) || opts.failures < 1) {
      throw new TypeError(`breaker option failures must be an integer >= 1, got ${String(opts.failures)}`);
    }
    if (!Number.isFinite(opts.coolDownMs) || opts.coolDownMs < 0) {
      throw new TypeError(`breaker option coolDownMs must be a number >= 0, got ${String(opts.coolDownMs)}`);
    }
    this.now = opts.now ?? Date.now;
  }

  /** Asks to query `key`. A 'probe' must be answered with success, failure or release. */
  admit(key: string): Admission {
    const c = this.circuits.get(key);
    if (!c || c.openedAt === undefined) return 'allow';
    if (c.probing || this.now() - c.openedAt < this.opts.coolDownMs) return 'reject';
    c.probing = true;
    return 'probe';
  }

  success(key: string): void {
    // Healthy logstores hold no entry, so the map stays as small as the set of failing ones.
    this.circuits.delete(key);
  }

  failure(key: string): void {
    const c = this.circuits.get(key) ?? { failures: 0, probing: false };
    c.failures++;
    if (c.probing || c.failures >= this.opts.failures) c.openedAt = this.now();
    c.probing = false;
    this.circuits.set(key, c);
  }

  /** Ends a probe that told nothing (cancelled): the next query may probe again. */
  release(key: string): void {
    const c = this.circuits.get(key);
    if (c) c.probing = false;
  }

  state(key: string): 'closed' | 'open' | 'half-open' {
    const c = this.circuits.get(key);
    if (!c || c.openedAt === undefined) return 'closed';
    return c.probing || this.now() - c.openedAt >= this.opts.coolDownMs ? 'half-open' : 'open';
  }
}
