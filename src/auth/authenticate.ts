// Turns the credentials a caller presents into an Identity, the same way for both transports:
// HTTP sends `Authorization: Bearer …`, graphql-ws sends `{ authorization: 'Bearer …' }` in its
// connection_init payload. No credentials means anonymous access, when it is enabled.

import type { Pool } from 'mysql2/promise';
import { LogfedError } from '../errors/index.js';
import type { AuthConfig } from './config.js';
import { makeIdentity, type Identity } from './identity.js';
import { chainKeyStores, configKeyStore, looksLikeKey, mysqlKeyStore, verifyKey, type KeyStore } from './keys.js';
import { createJwtVerifier, looksLikeJwt, unauthenticated, type JwtVerifier } from './jwt.js';

export interface Credentials {
  /** The Authorization header or connection param, as sent. */
  authorization?: string;
  /** `x-logfed-user`: honoured for anonymous callers only. */
  claimedUser?: string;
}

export interface Authenticator {
  /** Resolves the caller, or rejects with UNAUTHENTICATED (or SERVICE_UNAVAILABLE when a key store cannot be read). */
  authenticate(credentials: Credentials): Promise<Identity>;
  readonly anonymous: boolean;
  /** One line for the banner: how callers get in. */
  describe(): string;
}

const USER_RE = /^[\w.@:-]{1,128}$/;

export async function createAuthenticator(settings: AuthConfig, deps: { mysql?: Pool } = {}): Promise<Authenticator> {
  const stores: KeyStore[] = [configKeyStore(settings.keys)];
  if (deps.mysql && settings.mysqlKeys) stores.push(mysqlKeyStore(deps.mysql));
  const keys = chainKeyStores(stores);
  const jwt: JwtVerifier | undefined = settings.jwt ? await createJwtVerifier(settings.jwt) : undefined;
  const anon = settings.anonymous;

  return {
    anonymous: anon.enabled,
    describe() {
      const ways = [
        anon.enabled ? `anonymous as ${anon.role}${anon.scope.domains.includes('*') ? ' of every domain' : ''}` : undefined,
        settings.keys.length || (deps.mysql && settings.mysqlKeys) ? 'API keys' : undefined,
        jwt ? 'JWT' : undefined,
      ].filter(Boolean);
      return ways.length ? ways.join(', ') : 'nobody (configure auth: in logfed.yaml)';
    },
    async authenticate({ authorization, claimedUser }) {
      const token = bearer(authorization);
      if (token === undefined) {
        if (!anon.enabled) throw unauthenticated('credentials are required: send Authorization: Bearer <API key or JWT>');
        const user = anon.userHeader && claimedUser && USER_RE.test(claimedUser) ? claimedUser : 'anonymous';
        return makeIdentity({ user, via: 'anonymous', role: anon.role, scope: anon.scope });
      }
      if (looksLikeKey(token)) {
        const found = await verifyKey(keys, token);
        if (!found) throw unauthenticated('the API key is not valid (unknown, revoked, expired or mistyped)');
        return makeIdentity({ user: found.user, via: 'api-key', role: found.role, scope: found.scope, credential: found.id });
      }
      if (jwt && looksLikeJwt(token)) return jwt.verify(token);
      throw unauthenticated(jwt ? 'the bearer token is neither an API key nor a JWT' : 'the bearer token is not a valid API key');
    },
  };
}

/** The token of `Bearer <token>`; undefined when nothing was sent; refuses other schemes. */
function bearer(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const m = /^Bearer\s+(\S{1,8192})\s*$/i.exec(header);
  if (!m) throw unauthenticated('expected Authorization: Bearer <API key or JWT>');
  return m[1];
}

export function isAuthFailure(err: unknown): err is LogfedError {
  return err instanceof LogfedError && err.code === 'UNAUTHENTICATED';
}
