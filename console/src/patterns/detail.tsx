// One pattern up close: its template, its history over a chosen span, raw samples, and the
// annotation form (label, cause, advice → annotatePattern) that grows the knowledge base.

import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api/client.js';
import { ANNOTATE, PATTERN_ONE, type Annotation, type PatternDetail, type PatternOne } from '../api/queries.js';
import { ago, dayClock } from '../lib/time.js';
import { ErrorBanner, Sparkline } from '../ui/misc.js';
import { Template } from './template.js';

const SPANS = [
  { id: '1h', hours: 1, bucket: 1 },
  { id: '6h', hours: 6, bucket: 5 },
  { id: '24h', hours: 24, bucket: 20 },
] as const;

export function PatternDetailPane(props: { id: string; onAnnotated: (id: string, a: Annotation) => void; onClose: () => void }) {
  const [spanId, setSpanId] = useState<(typeof SPANS)[number]['id']>('1h');
  const [p, setP] = useState<PatternDetail | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [form, setForm] = useState({ label: '', cause: '', advice: '' });
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    const span = SPANS.find((s) => s.id === spanId)!;
    setError(null);
    gql<PatternOne>(PATTERN_ONE, { id: props.id, from: new Date(Date.now() - span.hours * 3_600_000).toISOString(), bucket: span.bucket }, abort.signal).then(
      ({ pattern }) => {
        setP(pattern);
        if (pattern && (!p || p.id !== pattern.id)) {
          const a = pattern.annotation;
          setForm({ label: a?.label ?? '', cause: a?.cause ?? '', advice: a?.advice ?? '' });
          setSaved(null);
        }
      },
      (err: Error) => !abort.signal.aborted && setError(err),
    );
    return () => abort.abort();
  }, [props.id, spanId]);

  async function save(e: Event) {
    e.preventDefault();
    if (!p) return;
    setSaving(true);
    setError(null);
    try {
      const vars = { id: p.id, label: form.label.trim() || null, cause: form.cause.trim() || null, advice: form.advice.trim() || null };
      const { annotatePattern } = await gql<{ annotatePattern: { id: string; annotation: Annotation } }>(ANNOTATE, vars);
      setP({ ...p, annotation: annotatePattern.annotation });
      props.onAnnotated(p.id, annotatePattern.annotation);
      setSaved(`saved as ${annotatePattern.annotation.author}`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  }

  const empty = !form.label.trim() && !form.cause.trim() && !form.advice.trim();
  return (
    <aside class="detail" data-testid="pattern-detail">
      <header>
        <span class="dim">{props.id}</span>
        <button type="button" class="link" onClick={props.onClose} title="close">
          ✕
        </button>
      </header>
      <ErrorBanner error={error} what="pattern" />
      {p && (
        <>
          <p class="template big">
            <Template text={p.template} />
          </p>
          <p class="dim">
            {p.count.toLocaleString()} events · first seen {dayClock(Date.parse(p.firstSeen))} · last seen {ago(Date.parse(p.lastSeen), Date.now())} · family {p.topPatternId}
          </p>
          <div class="spans" role="group" aria-label="history span">
            {SPANS.map((s) => (
              <button type="button" key={s.id} class={s.id === spanId ? 'on' : ''} onClick={() => setSpanId(s.id)}>
                {s.id}
              </button>
            ))}
            <span class="dim">per {SPANS.find((s) => s.id === spanId)!.bucket} min</span>
          </div>
          <Sparkline counts={p.histogram.map((b) => b.count)} width={380} height={56} title={`events per bucket, last ${spanId}`} />
          <h4>samples</h4>
          <ul class="samples">
            {p.samples.map((s, i) => (
              <li key={i}>
                <code>{s}</code>
              </li>
            ))}
          </ul>
          <h4>what it means</h4>
          <form class="annotate" onSubmit={save}>
            <label>
              label
              <input name="label" value={form.label} placeholder="lock wait" onInput={(e) => setForm({ ...form, label: e.currentTarget.value })} />
            </label>
            <label>
              cause
              <textarea name="cause" rows={2} value={form.cause} placeholder="row lock on orders during settlement" onInput={(e) => setForm({ ...form, cause: e.currentTarget.value })} />
            </label>
            <label>
              advice
              <textarea name="advice" rows={2} value={form.advice} placeholder="retry; page the DBA past 100/min" onInput={(e) => setForm({ ...form, advice: e.currentTarget.value })} />
            </label>
            <div class="row">
              <button type="submit" class="primary" disabled={saving || empty}>
                {saving ? 'saving…' : 'Save annotation'}
              </button>
              <span class="dim" data-testid="annotation-meta">
                {saved ?? (p.annotation ? `by ${p.annotation.author}, ${ago(Date.parse(p.annotation.at), Date.now())}` : 'not annotated yet')}
              </span>
            </div>
          </form>
        </>
      )}
    </aside>
  );
}
