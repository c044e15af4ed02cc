// Which logstores a search asked and how each fared, at a glance: a strip of counts per status
// and a square per source, opening into the full table (rows, ms, error or reason). A failed
// source never fails a search, so this strip is how the reader knows what is missing.

import { useState } from 'preact/hooks';
import type { Source, SourceStatus } from '../api/queries.js';

const ORDER: SourceStatus[] = ['ERROR', 'TIMEOUT', 'CANCELLED', 'SKIPPED', 'OK'];

export function SourcesStrip({ sources, label = 'sources' }: { sources: readonly Source[]; label?: string }) {
  const [open, setOpen] = useState(false);
  const counts = new Map<SourceStatus, number>();
  for (const s of sources) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const slowest = sources.reduce((m, s) => Math.max(m, s.ms), 0);
  const rows = sources.reduce((n, s) => n + s.rows, 0);
  const sorted = [...sources].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || b.ms - a.ms);
  return (
    <div class="sources">
      <button type="button" class="sources-strip" aria-expanded={open} onClick={() => setOpen(!open)} title="show every source">
        <span class="caret">{open ? '▾' : '▸'}</span>
        <b>{sources.length}</b> {label}
        {ORDER.filter((st) => counts.get(st)).map((st) => (
          <span key={st} class={`st st-${st}`} data-status={st}>
            {counts.get(st)} {st}
          </span>
        ))}
        <span class="squares">
          {sorted.map((s) => (
            <i key={s.logstore} class={`sq st-${s.status}`} title={`${s.logstore}: ${s.status}, ${s.rows} rows, ${s.ms} ms${s.error ? ` — ${s.error}` : ''}${s.reason ? ` — ${s.reason}` : ''}`} />
          ))}
        </span>
        <span class="dim">
          {rows} rows · slowest {slowest} ms
        </span>
      </button>
      {open && (
        <table class="sources-table">
          <thead>
            <tr>
              <th>logstore</th>
              <th>domain</th>
              <th>backend</th>
              <th>status</th>
              <th class="num">rows</th>
              <th class="num">ms</th>
              <th>error / reason</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((s, i) => (
              <tr key={`${s.logstore}-${i}`} class={`st-row-${s.status}`}>
                <td>{s.logstore}</td>
                <td>{s.domain}</td>
                <td>{s.backend}</td>
                <td>
                  <span class={`st st-${s.status}`}>{s.status}</span>
                </td>
                <td class="num">{s.rows}</td>
                <td class="num">{s.ms}</td>
                <td class="err">{s.error ?? s.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
