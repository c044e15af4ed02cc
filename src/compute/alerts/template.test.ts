import { describe, expect, it } from 'vitest';
import { zoneClock } from '../expr/time-range.js';
import { row } from '../metrics/test-events.js';
import { parseTemplate, renderTemplate, type TemplatePart } from './template.js';

const render = (text: string, r = row('m', '08:01:00', { app: 'pay', host: 'h1' }, { count: 12, ratio: 0.5 })) =>
  renderTemplate(parseTemplate(text) as TemplatePart[], { row: r, labels: { severity: 'page' }, state: 'firing', activeSince: r.label, clock: zoneClock('UTC') });

describe('message templates', () => {
  it.each([
    ['{{key.app}} error count {{values.count}}', 'pay error count 12'],
    ['{{ key.app }}/{{key.host}}', 'pay/h1'],
    ['{{ruleId}} is {{state}} since {{activeSince}}', 'm is firing since 2024-03-01 08:01:00'],
    ['window {{windowStart}} - {{windowEnd}}', 'window 2024-03-01 08:00:00 - 2024-03-01 08:01:00'],
    ['{{key}} | {{values}} | {{labels.severity}}', 'app=pay, host=h1 | count=12, ratio=0.5 | page'],
    ['no fields at all', 'no fields at all'],
    ['missing: [{{key.zone}}]', 'missing: []'],
    ['own fields only: [{{key.constructor}}{{values.__proto__}}{{labels.toString}}]', 'own fields only: []'],
    ['braces } and { stay', 'braces } and { stay'],
  ])('%s', (text, want) => expect(render(text)).toBe(want));

  it('prints values as text, never evaluating them', () => {
    expect(render('{{key.app}}', row('m', '08:01:00', { app: '{{values.count}}' }, {}))).toBe('{{values.count}}');
  });
});
