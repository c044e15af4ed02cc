// Matches over time for the loaded search results, drawn from what the browser holds: the caption
// says so, and the part of the range that no loaded page reached is drawn hatched, not empty.
// Clicking a bar narrows the search to that bucket.

import { bucketize, type Bucket } from '../lib/histogram.js';
import { dayClock, duration } from '../lib/time.js';

export function Histogram(props: {
  timestamps: readonly number[];
  range: { from: number; to: number };
  covered: { from: number; to: number };
  /** Why part of the range is not covered, when it is not. */
  caveat?: string;
  onPick?: (bucket: Bucket) => void;
}) {
  const buckets = bucketize(props.timestamps, props.range, props.covered, 60);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const W = 600;
  const H = 40;
  const bw = W / buckets.length;
  const width = duration(buckets[0] ? buckets[0].to - buckets[0].from : 0);
  const hidden = buckets.filter((b) => b.unloaded).length;
  return (
    <div class="histogram">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label="matches over time in the loaded results">
        <defs>
          <pattern id="unloaded" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="2" height="4" class="hatch" />
          </pattern>
        </defs>
        {buckets.map((b, i) => {
          const h = b.count === 0 ? 0 : Math.max(1.5, (b.count / max) * (H - 2));
          return (
            <g key={i} class="bar" onClick={() => props.onPick?.(b)}>
              <title>{`${dayClock(b.from)} – ${dayClock(b.to)}: ${b.unloaded ? 'not loaded yet' : `${b.count} loaded`}`}</title>
              <rect x={i * bw} y={0} width={bw} height={H} class={b.unloaded ? 'unloaded' : 'slot'} fill={b.unloaded ? 'url(#unloaded)' : undefined} />
              {h > 0 && <rect x={i * bw + 0.5} y={H - h} width={Math.max(1, bw - 1)} height={h} class="count" />}
            </g>
          );
        })}
      </svg>
      <div class="axis">
        <span>{dayClock(props.range.from)}</span>
        <span class="caption">
          matches in the loaded results · {props.timestamps.length} events · {width} per bar
          {hidden > 0 && <> · hatched: {props.caveat ?? 'not loaded yet'}</>}
        </span>
        <span>{dayClock(props.range.to)}</span>
      </div>
    </div>
  );
}
