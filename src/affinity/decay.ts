// How old habits fade without rewriting every score on a timer. Each row of scores (one user's
// apps, or one app's neighbours) keeps an epoch; a value is stored multiplied by
// 2^((t - epoch) / halfLife) at the time t it was added, so later increments weigh more, and a
// read divides by the same factor at the time of reading. A value added at t0 thus reads as
// by × 2^-((now - t0) / halfLife): exponential decay, yet a write touches only the members it
// adds, and shares within a row (what ranking uses) need no division at all.
//
// The factor grows without bound, so when a row's exponent passes MAX_EXPONENT the row is
// renormalised on its next write: every value is divided by the factor, members that decayed
// below PRUNE_BELOW are dropped, and the epoch moves to now. With a 30-day half-life that is
// one rewrite of a row every 32 × 30 days at most; the Redis store does the same inside the
// Lua script that writes the row (redis-scripts.ts), so replicas never race on it.

/** Past 2^32 a row is rescaled; doubles keep full precision far beyond, so this only bounds size. */
export const MAX_EXPONENT = 32;
/** Decayed values below this are forgotten when a row is renormalised. */
export const PRUNE_BELOW = 1e-6;
export const DEFAULT_HALF_LIFE_MS = 30 * 24 * 3600_000;
/** An untouched row expires after this many half-lives: by then it weighs less than 2^-20. */
export const EXPIRE_HALF_LIVES = 20;

/** Half-life Infinity means no decay. */
export function exponent(epoch: number, now: number, halfLifeMs: number): number {
  return Number.isFinite(halfLifeMs) ? (now - epoch) / halfLifeMs : 0;
}

/** What a stored value is divided by at `now` (and an increment multiplied by). */
export function growth(epoch: number, now: number, halfLifeMs: number): number {
  return 2 ** exponent(epoch, now, halfLifeMs);
}

export function needsRenormalise(epoch: number, now: number, halfLifeMs: number): boolean {
  return exponent(epoch, now, halfLifeMs) > MAX_EXPONENT;
}

/** Milliseconds an untouched row is kept, or 0 for never (no decay). */
export function rowTtlMs(halfLifeMs: number): number {
  return Number.isFinite(halfLifeMs) ? Math.ceil(halfLifeMs * EXPIRE_HALF_LIVES) : 0;
}
