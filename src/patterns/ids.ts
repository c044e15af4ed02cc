// The GraphQL id of a stored pattern: `domain/app/patternId`, each part URI-encoded so that
// any domain or app name round-trips (ordinary names read as they are: `shop/cart/p0f2…`).

import { badInput } from '../errors/index.js';

export interface PatternRef {
  domain: string;
  app: string;
  patternId: string;
}

export const encodePatternId = (r: PatternRef) => [r.domain, r.app, r.patternId].map(encodeURIComponent).join('/');

export function decodePatternId(id: string): PatternRef {
  const parts = id.split('/');
  if (parts.length === 3 && parts.every((p) => p.length > 0)) {
    try {
      const [domain, app, patternId] = parts.map(decodeURIComponent) as [string, string, string];
      return { domain, app, patternId };
    } catch {
      // fall through to the error below
    }
  }
  throw badInput(`pattern id: expected domain/app/patternId (as Pattern.id gives it), got ${JSON.stringify(id)}`);
}
