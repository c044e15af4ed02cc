// Lays out the demo's log files: copies the shipped samples (examples/logs) into the demo
// directory with timestamps moved so the newest line is "now", and appends live lines after.

import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { lineTs, shiftLine } from './logback.js';

export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/** The newest timestamp among the first lines of the sample files' last lines. */
function newestSampleTs(files: string[]): number {
  let max = 0;
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const ts = lineTs(lines[i]!);
      if (ts !== undefined) {
        max = Math.max(max, ts);
        break;
      }
    }
  }
  return max;
}

/**
 * Copies every sample file into `dir`, shifting timestamps by the same amount so relative
 * timing is kept and the newest line lands at `now`. Returns the shifted text per relative path
 * so callers can learn from it (gateway mappings) without reading the files again.
 */
export function rebaseSamples(samplesDir: string, dir: string, now: number): Map<string, string> {
  const files = listFiles(samplesDir);
  const delta = now - newestSampleTs(files);
  const out = new Map<string, string>();
  for (const f of files) {
    const rel = relative(samplesDir, f);
    const text = readFileSync(f, 'utf8')
      .split('\n')
      .map((l) => shiftLine(l, delta))
      .join('\n');
    const target = join(dir, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    out.set(rel, text);
  }
  return out;
}

export function appendLine(dir: string, rel: string, text: string): void {
  const target = join(dir, rel);
  try {
    appendFileSync(target, text);
  } catch {
    mkdirSync(dirname(target), { recursive: true });
    appendFileSync(target, text);
  }
}
