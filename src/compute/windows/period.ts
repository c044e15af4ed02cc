// Clock-aligned tumbling windows for metric and composite rules: which window an event time falls
// in and which time the window is labelled with. Every windowed stage (metrics, composites) uses
// these so that rows of different rules line up on the same instants.

/** The statistics periods a rule may use, in minutes; each divides an hour, so windows align to :00. */
export const PERIOD_MINUTES = [1, 2, 3, 4, 5, 10, 15, 30] as const;
export const PERIOD_NAMES = PERIOD_MINUTES.map((m) => `${m}m`) as readonly string[];

/**
 * backward (default): a window is labelled with its end, so 08:00:03 counts toward 08:01:00.
 * forward: labelled with its start, so 08:00:03 counts toward 08:00:00.
 */
export type Labelling = 'backward' | 'forward';

export const MINUTE_MS = 60_000;

/** "5m" → 300000. Callers pass names already checked against PERIOD_NAMES. */
export function periodToMs(period: string): number {
  return Number.parseInt(period, 10) * MINUTE_MS;
}

/**
 * Start of the window holding ts. Windows are half-open [start, start + period), as Flink's
 * tumbling windows in the reference platform are, so an event exactly on a boundary opens the
 * next window: 08:00:00 belongs to [08:00:00, 08:01:00), labelled 08:01:00 backward and
 * 08:00:00 forward. Labelling changes the label only, never which events share a window.
 * Alignment is to the epoch, which for periods dividing an hour is alignment to every hour.
 */
export function windowStartOf(ts: number, periodMs: number): number {
  const r = ts % periodMs;
  return r < 0 ? ts - r - periodMs : ts - r;
}

export function labelOf(windowStart: number, periodMs: number, labelling: Labelling): number {
  return labelling === 'forward' ? windowStart : windowStart + periodMs;
}

/** The window a label names, the inverse of labelOf. */
export function windowStartOfLabel(label: number, periodMs: number, labelling: Labelling): number {
  return labelling === 'forward' ? label : label - periodMs;
}
