// Small pieces every view uses: an error banner that keeps the gateway's error code, and a
// sparkline for counts over time.

import type { GraphQLRequestError } from '../api/client.js';

export function ErrorBanner({ error, what }: { error?: Error | null; what: string }) {
  if (!error) return null;
  const code = (error as GraphQLRequestError).code;
  return (
    <div class="error" role="alert">
      <b>{what} failed</b>
      {code && <code>{code}</code>} {error.message}
    </div>
  );
}

export function Sparkline(props: { counts: readonly number[]; width?: number; height?: number; title?: string }) {
  const w = props.width ?? 120;
  const h = props.height ?? 18;
  const n = props.counts.length;
  if (n === 0) return <svg class="spark" width={w} height={h} />;
  const max = Math.max(1, ...props.counts);
  const bw = w / n;
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={props.title}>
      {props.title && <title>{props.title}</title>}
      {props.counts.map((c, i) => {
        const bh = c === 0 ? 0 : Math.max(1, (c / max) * h);
        return <rect key={i} x={i * bw} y={h - bh} width={Math.max(0.5, bw - 0.5)} height={bh} />;
      })}
    </svg>
  );
}
