// Measures the template miner on labelled Loghub-format datasets: grouping accuracy (GA) and
// parsing accuracy (PA) per dataset and on average, with one fresh default miner per dataset.
// Usage: npm run eval:loghub -- <dir> [--details]   (<dir>/<Name>/<Name>_2k.log_structured.csv)

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMiner } from '../src/miner/index.js';

export interface Dataset {
  name: string;
  contents: string[];
  /** Truth for grouping: the dataset's own templates. */
  groups: string[];
  /** Truth for parsing: the corrected Loghub-2.0 templates when present, else the same. */
  templates: string[];
}

/** RFC 4180: quoted fields may hold commas, line breaks and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function readColumns(path: string, names: string[]): string[][] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const at = names.map((n) => {
    const i = header!.indexOf(n);
    if (i < 0) throw new Error(`${path}: no column ${n} (columns: ${header!.join(', ')})`);
    return i;
  });
  return rows.filter((r) => r.length > 1).map((r) => at.map((i) => r[i] ?? ''));
}

export function readDatasets(dir: string): Dataset[] {
  const out: Dataset[] = [];
  for (const name of readdirSync(dir).sort()) {
    const structured = join(dir, name, `${name}_2k.log_structured.csv`);
    if (!existsSync(structured)) continue;
    const rows = readColumns(structured, ['Content', 'EventTemplate']);
    const corrected = join(dir, name, 'loghub2_corrected', `${name}_2k.log_structured_corrected.csv`);
    let templates = rows.map((r) => r[1]!);
    if (existsSync(corrected)) {
      const fixed = readColumns(corrected, ['Content', 'EventTemplate']);
      if (fixed.length !== rows.length) throw new Error(`${corrected}: ${fixed.length} rows, expected ${rows.length}`);
      templates = fixed.map((r) => r[1]!);
    }
    out.push({ name, contents: rows.map((r) => r[0]!), groups: rows.map((r) => r[1]!), templates });
  }
  return out;
}

// PA as the dataset README defines it: the mined template equals the corrected template
// exactly (runs of whitespace count as one space, since templates are joined by one).
export const sameTemplate = (mined: string, truth: string): boolean => spaces(mined) === spaces(truth);
const spaces = (t: string): string => t.trim().replace(/\s+/g, ' ');

// PA_norm: the Loghub-2.0 evaluator's normalisation, applied alike to truth and prediction:
// a variable that matched nothing in its line is dropped, and adjacent variables joined by
// `.`, `:`, a space or nothing are one variable. Printed beside PA for comparison.
export function normaliseTemplate(template: string, content: string): string {
  let t = alignEmptyVariables(template.trim().replace(/\s+/g, ' '), content);
  for (;;) {
    const before = t;
    t = t.replaceAll('<*>.<*>', '<*>');
    if (t === before) break;
  }
  for (;;) {
    const before = t;
    t = t.replaceAll('<*><*>', '<*>').replaceAll('<*>:<*>', '<*>').replaceAll('<*> <*>', '<*>');
    if (t === before) break;
  }
  return t;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function alignEmptyVariables(template: string, content: string): string {
  const parts = template.split('<*>');
  if (parts.length === 1) return template;
  const m = new RegExp('^' + parts.map(escape).join('(.*?)') + '$', 's').exec(content);
  if (!m) return template;
  return parts.map((p, i) => (i === 0 ? p : (m[i] === '' ? '' : '<*>') + p)).join('');
}

export interface Score {
  ga: number;
  pa: number;
  paNorm: number;
  linesPerSecond: number;
  patterns: number;
  truthGroups: number;
  predicted: string[];
}

export function evaluate(ds: Dataset): Score {
  const miner = createMiner();
  const started = performance.now();
  for (const line of ds.contents) miner.add(line);
  const seconds = (performance.now() - started) / 1000;

  // Judged on the final state, as the benchmarks do: every line is matched again.
  const predicted = ds.contents.map((line) => miner.match(line)?.template ?? '');
  const truthSize = countBy(ds.groups);
  const members = new Map<string, number[]>();
  predicted.forEach((t, i) => {
    const list = members.get(t);
    if (list) list.push(i);
    else members.set(t, [i]);
  });
  let grouped = 0;
  for (const lines of members.values()) {
    const truth = ds.groups[lines[0]!]!;
    if (truthSize.get(truth) === lines.length && lines.every((i) => ds.groups[i] === truth)) grouped += lines.length;
  }
  let parsed = 0;
  let parsedNorm = 0;
  predicted.forEach((t, i) => {
    const line = ds.contents[i]!;
    if (sameTemplate(t, ds.templates[i]!)) parsed++;
    if (normaliseTemplate(t, line) === normaliseTemplate(ds.templates[i]!, line)) parsedNorm++;
  });
  const n = ds.contents.length;
  return {
    ga: grouped / n,
    pa: parsed / n,
    paNorm: parsedNorm / n,
    linesPerSecond: n / seconds,
    patterns: miner.patterns().length,
    truthGroups: truthSize.size,
    predicted,
  };
}

function countBy(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}

// With --details: the wrongly grouped lines and the unparsed templates, largest first.
function printDetails(ds: Dataset, score: Score): void {
  const wrong = new Map<string, number>();
  score.predicted.forEach((t, i) => {
    const truth = spaces(ds.templates[i]!);
    const got = spaces(t);
    if (got !== truth) {
      const key = `  PA  got  ${got}\n      want ${truth}`;
      wrong.set(key, (wrong.get(key) ?? 0) + 1);
    }
  });
  const byPred = new Map<string, Set<string>>();
  const byTruth = new Map<string, Set<string>>();
  score.predicted.forEach((t, i) => {
    (byPred.get(t) ?? byPred.set(t, new Set()).get(t)!).add(ds.groups[i]!);
    (byTruth.get(ds.groups[i]!) ?? byTruth.set(ds.groups[i]!, new Set()).get(ds.groups[i]!)!).add(t);
  });
  const counts = countBy(score.predicted);
  for (const [pred, truths] of byPred) {
    if (truths.size > 1) console.log(`  GA  merged (${counts.get(pred)}) ${pred}\n        <- ${[...truths].join('\n        <- ')}`);
  }
  for (const [truth, preds] of byTruth) {
    if (preds.size > 1) console.log(`  GA  split  ${truth}\n        -> ${[...preds].map((p) => `(${counts.get(p)}) ${p}`).join('\n        -> ')}`);
  }
  for (const [key, count] of [...wrong].sort((a, b) => b[1] - a[1])) console.log(`${key}   x${count}`);
}

function main(argv: string[]): void {
  const dir = argv.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error('usage: npm run eval:loghub -- <dir> [--details]');
    process.exit(2);
  }
  const datasets = readDatasets(dir);
  if (datasets.length === 0) {
    console.error(`no <Name>/<Name>_2k.log_structured.csv under ${dir}`);
    process.exit(2);
  }
  // A throw-away pass first, so that lines/s is the miner's steady speed, not the JIT's.
  for (const ds of datasets) evaluate(ds);
  let ga = 0;
  let pa = 0;
  let paNorm = 0;
  for (const ds of datasets) {
    const s = evaluate(ds);
    ga += s.ga;
    pa += s.pa;
    paNorm += s.paNorm;
    console.log(
      `${ds.name.padEnd(12)} GA=${s.ga.toFixed(4)} PA=${s.pa.toFixed(4)} PA_norm=${s.paNorm.toFixed(4)} lines/s=${Math.round(s.linesPerSecond)} ` +
        `patterns=${s.patterns} truth=${s.truthGroups}`,
    );
    if (argv.includes('--details')) printDetails(ds, s);
  }
  const n = datasets.length;
  console.log(`average GA=${(ga / n).toFixed(4)} PA=${(pa / n).toFixed(4)} PA_norm=${(paNorm / n).toFixed(4)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
