// Alert message templates: "{{key.app}} error count {{values.count}}". A template is parsed on
// load into text and field references; rendering only substitutes own fields of the row, so a
// template can never run code or reach anything but the alert's own data.

import { ownField, type MetricRow } from '../metrics/row.js';
import { textOf } from '../metrics/event-field.js';
import type { ZoneClock } from '../expr/time-range.js';

export type TemplatePart = string | { root: TemplateRoot; name?: string };
type TemplateRoot = 'key' | 'values' | 'labels' | 'ruleId' | 'label' | 'windowStart' | 'windowEnd' | 'state' | 'activeSince';

const ROOTS: ReadonlySet<string> = new Set(['key', 'values', 'labels', 'ruleId', 'label', 'windowStart', 'windowEnd', 'state', 'activeSince']);
const WITH_NAME: ReadonlySet<string> = new Set(['key', 'values', 'labels']);
const TIMES: ReadonlySet<string> = new Set(['label', 'windowStart', 'windowEnd', 'activeSince']);
const REF = /^([A-Za-z]+)(?:\.([A-Za-z0-9_.-]+))?$/;

/** Splits a template into text and references, or says what is wrong and at which column. */
export function parseTemplate(text: string): TemplatePart[] | { error: string } {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    if (open < 0) {
      parts.push(text.slice(at));
      break;
    }
    if (open > at) parts.push(text.slice(at, open));
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return { error: `"{{" at column ${open + 1} is never closed` };
    const ref = text.slice(open + 2, close).trim();
    const m = REF.exec(ref);
    if (!m || !ROOTS.has(m[1]!) || (m[2] !== undefined && !WITH_NAME.has(m[1]!))) {
      return { error: `"{{${text.slice(open + 2, close)}}}" at column ${open + 1} is not a field; use key.<name>, values.<name>, labels.<name>, ruleId, state, label, windowStart, windowEnd or activeSince` };
    }
    parts.push({ root: m[1] as TemplateRoot, name: m[2] });
    at = close + 2;
  }
  return parts;
}

export interface TemplateContext {
  row: MetricRow;
  labels: Record<string, string>;
  state: string;
  activeSince: number;
  clock: ZoneClock;
}

/**
 * Renders parsed parts. Times print as "YYYY-MM-DD HH:MM:SS" on the rule's clock; a bare key,
 * values or labels prints as "a=1, b=2"; a field the row does not have prints as nothing.
 */
export function renderTemplate(parts: readonly TemplatePart[], ctx: TemplateContext): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else out += renderRef(p, ctx);
  }
  return out;
}

function renderRef(p: Exclude<TemplatePart, string>, ctx: TemplateContext): string {
  if (p.root === 'key' || p.root === 'values' || p.root === 'labels') {
    const bag: Record<string, unknown> = p.root === 'labels' ? ctx.labels : ctx.row[p.root];
    if (p.name !== undefined) return textOf(ownField(bag, p.name));
    return Object.entries(bag)
      .map(([k, v]) => `${k}=${textOf(v)}`)
      .join(', ');
  }
  if (p.root === 'ruleId') return ctx.row.ruleId;
  if (p.root === 'state') return ctx.state;
  const ms = p.root === 'activeSince' ? ctx.activeSince : ctx.row[p.root as 'label' | 'windowStart' | 'windowEnd'];
  return TIMES.has(p.root) ? formatTime(ms, ctx.clock) : '';
}

export function formatTime(ms: number, clock: ZoneClock): string {
  const iso = new Date(ms + clock.offsetMs(ms)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
