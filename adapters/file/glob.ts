// The glob of a file logstore: `shop/prod/{app}/{file}.log*` lists the files of a logstore and
// reads app, file and host from their paths. Patterns are relative to the adapter root and may
// not climb out of it, so a logstore definition cannot read arbitrary files of the host.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const PLACEHOLDERS = ['app', 'file', 'host'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type Captures = Partial<Record<Placeholder, string>>;

interface Segment {
  /** A segment without wildcards is looked up directly instead of listing its directory. */
  literal?: string;
  globstar?: boolean;
  re?: RegExp;
  names: Placeholder[];
  dotOk: boolean;
}

export interface CompiledGlob {
  pattern: string;
  segments: Segment[];
}

export interface GlobMatch {
  /** Path relative to the root, with forward slashes. */
  rel: string;
  abs: string;
  captures: Captures;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Throws an Error that says what is wrong with the pattern; callers add the field name. */
export function compileGlob(pattern: string): CompiledGlob {
  if (pattern.length === 0) throw new Error('the glob is empty');
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern)) {
    throw new Error(`"${pattern}" is absolute; give it relative to the adapter root`);
  }
  const parts = pattern.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`"${pattern}" climbs out of the adapter root with ".."`);
  if (parts.length === 0) throw new Error(`"${pattern}" names no file`);
  if (parts[parts.length - 1] === '**') throw new Error(`"${pattern}" ends with **; end it with a file pattern such as *.log`);
  return { pattern, segments: parts.map(compileSegment) };
}

function compileSegment(seg: string): Segment {
  if (seg === '**') return { globstar: true, names: [], dotOk: false };
  const names: Placeholder[] = [];
  let re = '';
  let magic = false;
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i]!;
    if (ch === '*') {
      re += '[^/]*';
      magic = true;
    } else if (ch === '?') {
      re += '[^/]';
      magic = true;
    } else if (ch === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) throw new Error(`unclosed "[" in "${seg}"`);
      const body = seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
      magic = true;
    } else if (ch === '{') {
      const end = seg.indexOf('}', i);
      if (end < 0) throw new Error(`unclosed "{" in "${seg}"`);
      const body = seg.slice(i + 1, end);
      if ((PLACEHOLDERS as readonly string[]).includes(body)) {
        names.push(body as Placeholder);
        re += '([^/]+?)';
      } else if (body.includes(',')) {
        re += `(?:${body.split(',').map(escapeRe).join('|')})`;
      } else {
        throw new Error(`unknown placeholder {${body}} in "${seg}" (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}, or {a,b} alternatives)`);
      }
      i = end;
      magic = true;
    } else re += escapeRe(ch);
  }
  if (!magic) return { literal: seg, names, dotOk: true };
  return { re: new RegExp(`^${re}$`), names, dotOk: seg.startsWith('.') };
}

function matchSegment(seg: Segment, name: string, captures: Captures): Captures | undefined {
  if (seg.literal !== undefined) return name === seg.literal ? captures : undefined;
  if (!seg.dotOk && name.startsWith('.')) return undefined;
  const m = seg.re!.exec(name);
  if (!m) return undefined;
  const next: Captures = { ...captures };
  for (let k = 0; k < seg.names.length; k++) {
    const key = seg.names[k]!;
    const value = m[k + 1]!;
    // The same placeholder twice in a pattern must read the same value both times.
    if (next[key] !== undefined && next[key] !== value) return undefined;
    next[key] = value;
  }
  return next;
}

/** Regular files under root that the glob matches, sorted by relative path. */
export async function listGlob(root: string, glob: CompiledGlob): Promise<GlobMatch[]> {
  const out: GlobMatch[] = [];
  const segs = glob.segments;
  const seen = new Set<string>();
  const walk = async (dirRel: string, i: number, captures: Captures): Promise<void> => {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    const dirAbs = join(root, dirRel);
    if (seg.globstar) {
      await walk(dirRel, i + 1, captures);
      for (const name of await listDir(dirAbs)) {
        if (!name.startsWith('.') && (await kind(join(dirAbs, name))) === 'dir') await walk(joinRel(dirRel, name), i, captures);
      }
      return;
    }
    const names = seg.literal !== undefined ? [seg.literal] : await listDir(dirAbs);
    for (const name of names) {
      const c = matchSegment(seg, name, captures);
      if (!c) continue;
      const rel = joinRel(dirRel, name);
      const k = await kind(join(root, rel));
      if (last && k === 'file' && !seen.has(rel)) {
        seen.add(rel);
        out.push({ rel, abs: join(root, rel), captures: c });
      } else if (!last && k === 'dir') await walk(rel, i + 1, c);
    }
  };
  await walk('', 0, {});
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

const joinRel = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

async function listDir(abs: string): Promise<string[]> {
  try {
    return await readdir(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

async function kind(abs: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(abs);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : undefined;
  } catch {
    return undefined;
  }
}
