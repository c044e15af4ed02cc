// Express middlewares in front of Apollo on /graphql: authentication (the identity is left in
// res.locals for the context) and the persisted-query allow-list. A refused request is answered
// here as a GraphQL error response, so Apollo never parses what it will not run.

import type { NextFunction, Request, Response } from 'express';
import type { Authenticator } from '../auth/authenticate.js';
import type { Identity } from '../auth/identity.js';
import { isLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import { credentialsFrom } from './context.js';
import type { PersistedQueries } from './limits/persisted.js';

export interface AuthLocals {
  identity?: Identity;
}

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).type('application/json').json({ errors: [{ message, extensions: { code } }] });
}

export function authenticateHttp(auth: Authenticator) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      (res.locals as AuthLocals).identity = await auth.authenticate(credentialsFrom(req.headers));
      next();
    } catch (err) {
      if (isLogfedError(err) && err.code === 'UNAUTHENTICATED') {
        res.setHeader('www-authenticate', 'Bearer realm="logfed"');
        refuse(res, 401, 'UNAUTHENTICATED', err.message);
      } else if (isLogfedError(err) && err.code === 'SERVICE_UNAVAILABLE') {
        refuse(res, 503, 'SERVICE_UNAVAILABLE', err.message);
      } else {
        log.error({ err }, 'authentication failed unexpectedly');
        refuse(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error');
      }
    }
  };
}

/**
 * Puts the listed document in place of a hash-only request, refuses documents that are not
 * listed, and strips `extensions.persistedQuery` so that Apollo's own automatic persisted
 * queries (off when the allow-list is on) do not see it.
 */
export function persistedOnlyHttp(persisted: PersistedQueries) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST') {
      const body = req.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return next();
      const resolved = persisted.resolve(body);
      if ('error' in resolved) return refuse(res, 400, String(resolved.error.extensions.code), resolved.error.message);
      const { extensions, ...rest } = body;
      const kept = withoutPersisted(extensions);
      req.body = { ...rest, query: resolved.query, ...(kept === undefined ? {} : { extensions: kept }) };
      return next();
    }
    if (req.method === 'GET') {
      const url = new URL(req.originalUrl, 'http://gateway');
      let extensions: unknown;
      try {
        extensions = JSON.parse(url.searchParams.get('extensions') ?? 'null') ?? undefined;
      } catch {
        return refuse(res, 400, 'BAD_USER_INPUT', 'extensions is not valid JSON');
      }
      const resolved = persisted.resolve({ query: url.searchParams.get('query') ?? undefined, extensions });
      if ('error' in resolved) return refuse(res, 400, String(resolved.error.extensions.code), resolved.error.message);
      url.searchParams.set('query', resolved.query);
      url.searchParams.delete('extensions');
      req.url = `${req.url.split('?')[0]}?${url.searchParams.toString()}`;
      return next();
    }
    next();
  };
}

function withoutPersisted(extensions: unknown): unknown {
  if (!extensions || typeof extensions !== 'object') return extensions;
  const { persistedQuery: _, ...rest } = extensions as Record<string, unknown>;
  return Object.keys(rest).length ? rest : undefined;
}
