// The metric, processed, composite and alert rules as the rule store keeps them: the common
// envelope (id, kind, version, online) around the body their own stage validates. Each body is
// checked alone here; references between rules (an alert's metric, a composite's sources) are
// checked when a task compiles its set (compute/tasks/metric-stage.ts).

import { z } from 'zod';
import { validateAlertRule } from '../alerts/schema.js';
import { compositeSchema } from '../metrics/composite-schema.js';
import { validateProcessedRule } from '../metrics/processed.js';
import { validateMetricRule } from '../metrics/schema.js';
import { ruleBase } from './common.js';

export const METRIC_KINDS = ['metric', 'processed', 'composite', 'alert'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

const envelope = <K extends MetricKind>(kind: K) => z.object({ ...ruleBase, kind: z.literal(kind) }).passthrough();

export const metricRule = envelope('metric');
export const processedRule = envelope('processed');
export const compositeRule = envelope('composite');
export const alertRule = envelope('alert');

export type MetricKindRule = { id: string; version: number; online: boolean; description?: string; kind: MetricKind } & Record<string, unknown>;

/** The body a stage validator takes: the rule without the store's envelope fields. */
export function stageBody(rule: { version?: unknown; online?: unknown }): Record<string, unknown> {
  const { version: _v, online: _o, ...body } = rule as Record<string, unknown>;
  return body;
}

/** Checks a metric-kind body with its stage's own validator; its issues keep their field paths. */
export function refineMetricKind(rule: MetricKindRule, ctx: z.RefinementCtx): void {
  const body = stageBody(rule);
  try {
    if (rule.kind === 'metric') validateMetricRule(body);
    else if (rule.kind === 'processed') validateProcessedRule(body);
    else if (rule.kind === 'alert') validateAlertRule(body);
    else {
      const r = compositeSchema.safeParse(body);
      if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
    }
  } catch (err) {
    const issues = (err as { details?: { issues?: Array<{ path: string; message: string }> } }).details?.issues ?? [{ path: rule.kind, message: String(err) }];
    // The stage names paths "metric.aggregations[0].fn"; the store wants them under the rule.
    for (const i of issues) ctx.addIssue({ code: 'custom', path: i.path.replace(/^[a-z]+\.?/, '').split(/\.|\[|\]\.?/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: i.message });
  }
}
