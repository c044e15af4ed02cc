// Positions of the network adapters: a tag naming the adapter and its position format, then the
// key parts as base64url JSON. Opaque to the gateway; refused with the adapter's name when it
// did not produce them, so a cursor from another backend never resumes in the wrong place.

import { badInput } from '../../src/errors/index.js';

export type Part = string | number;

export function encodePosition(tag: string, parts: readonly Part[]): string {
  return `${tag}.${Buffer.from(JSON.stringify(parts)).toString('base64url')}`;
}

/**
 * Decodes a position of `tag` whose parts have the given kinds ('n' a finite number, 's' a
 * string, 'v' either), or throws BAD_USER_INPUT naming the adapter and the expected shape.
 */
export function decodePosition(tag: string, pos: string, adapter: string, kinds: string): Part[] {
  const fail = () => badInput(`after: expected a position returned by the ${adapter} adapter (${tag}.<key>), got ${JSON.stringify(pos.slice(0, 80))}`);
  if (!pos.startsWith(`${tag}.`)) throw fail();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(pos.slice(tag.length + 1), 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (!Array.isArray(parts) || parts.length !== kinds.length) throw fail();
  parts.forEach((p, i) => {
    const num = typeof p === 'number' && Number.isFinite(p);
    const ok = kinds[i] === 'n' ? num : kinds[i] === 's' ? typeof p === 'string' : num || typeof p === 'string';
    if (!ok) throw fail();
  });
  return parts as Part[];
}
