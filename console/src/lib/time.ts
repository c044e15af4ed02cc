// Time ranges and how times read on screen: the presets an SRE reaches for, a custom range from
// the browser's datetime inputs, and compact local times with the full instant on hover.

export const PRESETS = [
  { id: '15m', label: '15 m', ms: 15 * 60_000 },
  { id: '1h', label: '1 h', ms: 60 * 60_000 },
  { id: '6h', label: '6 h', ms: 6 * 60 * 60_000 },
  { id: '24h', label: '24 h', ms: 24 * 60 * 60_000 },
] as const;

export type RangeId = (typeof PRESETS)[number]['id'] | 'custom';

export interface TimeRange {
  from: number;
  to: number;
}

/** A preset ends now; custom takes the two datetime-local values (local time, minute precision). */
export function resolveRange(id: RangeId, custom: { from: string; to: string }, now: number): TimeRange {
  const preset = PRESETS.find((p) => p.id === id);
  if (preset) return { from: now - preset.ms, to: now };
  const from = Date.parse(custom.from);
  const to = custom.to ? Date.parse(custom.to) : now;
  if (Number.isNaN(from)) throw new Error('custom range: pick a start time');
  if (Number.isNaN(to)) throw new Error('custom range: the end time is not a time');
  if (to <= from) throw new Error('custom range: the end must be after the start');
  return { from, to };
}

/** The value a datetime-local input shows for an instant, in the browser's zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `11:43:11.781`: the part of a log time that differs between neighbouring lines. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `11-21 11:43`: for axes and spans that may cross midnight. */
export function dayClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} m`;
}

/** `3 m ago`: how stale a last-seen time is, at a glance. */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
