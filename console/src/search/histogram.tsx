// Matches over time for the loaded search results, drawn from what the browser holds: the caption
// says so, and the part of the range that no loaded page reached is drawn hatched, not empty.
// When the loaded pages cover only a sliver of the range, the chart zooms to that sliver and
// says so. Clicking a bar narrows the search to that bucket.

import { bucketize, type Bucket } from '../lib/histogram.js';
import { clock, dayClock, duration } from '../lib/time.js';

export function Histogram(props: {
  timestamps: readonly number[];
  range: { from: number; to: number };
  covered: { from: number; to: number };
  /** Why part of the range is not covered, when it is not. */
  caveat?: string;
  onPick?: (bucket: Bucket) => void;
}) {
  const { range, covered } = props;
  const coveredMs = covered.to - covered.from;
  const rangeMs = range.to - range.from;
  // A quarter of the range or less: 60 bars over the whole range would put every match in one or two.
  const zoom = coveredMs > 0 && coveredMs <= rangeMs / 4;
  const shown = zoom ? covered : range;
  const buckets = bucketize(props.timestamps, shown, covered, 60);
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
        <span>{zoom ? clock(shown.from) : dayClock(shown.from)}</span>
        <span class="caption">
          matches in the loaded results · {props.timestamps.length} events · {width} per bar
          {zoom && <> · zoomed to the {duration(coveredMs)} they cover, of {duration(rangeMs)} searched: load more to reach further</>}
          {hidden > 0 && <> · hatched: {props.caveat ?? 'not loaded yet'}</>}
        </span>
        <span>{zoom ? clock(shown.to) : dayClock(shown.to)}</span>
      </div>
    </div>
  );
}
