// The metric row every metric stage emits (simple, processed, composite) and alerts read, and
// the one way to read a field from it by path ("key.app", "values.count", "label").

export interface MetricRow {
  ruleId: string;
  windowStart: number;
  windowEnd: number;
  /** The time the row is labelled with: windowEnd when labelled backward, windowStart forward. */
  label: number;
  key: Record<string, string>;
  values: Record<string, number | string>;
}

const ROW_TOP = new Set(['ruleId', 'windowStart', 'windowEnd', 'label']);

/**
 * Reads `key.x`, `values.x`, `label`, `windowStart`, `windowEnd`, `ruleId`, or a bare name,
 * looked up among the key fields first and the values second. Only own properties are read,
 * so "key.constructor" is a missing field, not Object's constructor.
 */
export function rowGetter(path: string): (row: MetricRow) => unknown {
  if (ROW_TOP.has(path)) return (row) => row[path as keyof MetricRow];
  if (path.startsWith('key.')) {
    const k = path.slice(4);
    return (row) => ownField(row.key, k);
  }
  if (path.startsWith('values.')) {
    const k = path.slice(7);
    return (row) => ownField(row.values, k);
  }
  return (row) => ownField(row.key, path) ?? ownField(row.values, path);
}

export function ownField(o: Record<string, unknown> | undefined, k: string): unknown {
  return o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined;
}

/** A stable identity for a key (or the part of it named by `fields`), independent of field order. */
export function keyIdOf(key: Record<string, string>, fields?: readonly string[]): string {
  const names = fields ?? Object.keys(key).sort();
  let id = '';
  for (const f of names) id += `${f}\u001f${ownField(key, f) ?? ''}\u001e`;
  return id;
}
