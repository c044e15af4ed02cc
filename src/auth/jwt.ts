// Bearer JWTs from an identity provider: HS256 with a shared secret, RS256 with a PEM public key
// or a JWKS URL. Issuer and audience are checked when configured; which claims carry the user,
// the role and the scope is configurable, since every provider names them differently.

import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { LogfedError } from '../errors/index.js';
import { makeIdentity, roleSchema, ROLES, type Identity, type Role } from './identity.js';
import { scopeSpecSchema } from './scope.js';

const claimPath = z.string().regex(/^[A-Za-z0-9_:/.-]{1,128}$/, 'expected a claim name, dotted for a nested claim (realm_access.roles)');

export const jwtConfigSchema = z
  .object({
    /** HS256 shared secret (at least 32 characters). */
    secret: z.string().min(32, 'expected at least 32 characters: a short HS256 secret can be guessed offline').optional(),
    /** RS256 public key, PEM (SPKI, `-----BEGIN PUBLIC KEY-----`). */
    publicKey: z.string().includes('BEGIN PUBLIC KEY', { message: 'expected a PEM public key (-----BEGIN PUBLIC KEY-----)' }).optional(),
    /** RS256 keys fetched (and cached) from the provider's JWKS endpoint. */
    jwksUrl: z.string().url().optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    /** Allowed clock skew for exp/nbf. */
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    claims: z
      .object({
        user: claimPath.default('sub'),
        /** A role name, or a list that may hold `admin` or `reader`. */
        role: claimPath.default('logfed_role'),
        /** A list of domain names or patterns, or one string of them separated by spaces or commas. */
        domains: claimPath.default('logfed_domains'),
        /** `{ domain: [apps] }`, as in a key's scope. */
        apps: claimPath.default('logfed_apps'),
      })
      .strict()
      .default({}),
    /** The role of a token without a role claim. */
    defaultRole: roleSchema.default('reader'),
    /** The domains of a token without a domains claim (none by default: such a token reads nothing). */
    defaultDomains: z.array(z.string()).default([]),
  })
  .strict()
  .refine((j) => [j.secret, j.publicKey, j.jwksUrl].filter(Boolean).length === 1, {
    message: 'expected exactly one of secret (HS256), publicKey or jwksUrl (RS256)',
  });

export type JwtConfig = z.output<typeof jwtConfigSchema>;

export interface JwtVerifier {
  verify(token: string): Promise<Identity>;
}

export const looksLikeJwt = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

export async function createJwtVerifier(config: JwtConfig): Promise<JwtVerifier> {
  let key: Uint8Array | Awaited<ReturnType<typeof importSPKI>> | ReturnType<typeof createRemoteJWKSet>;
  let algorithms: string[];
  if (config.secret) {
    key = new TextEncoder().encode(config.secret);
    algorithms = ['HS256'];
  } else if (config.publicKey) {
    try {
      key = await importSPKI(config.publicKey, 'RS256');
    } catch (err) {
      throw new LogfedError('BAD_CONFIG', `auth.jwt.publicKey: not a usable RS256 public key (${(err as Error).message})`, { cause: err });
    }
    algorithms = ['RS256'];
  } else {
    key = createRemoteJWKSet(new URL(config.jwksUrl!));
    algorithms = ['RS256'];
  }
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key as never, {
          algorithms,
          issuer: config.issuer,
          audience: config.audience,
          clockTolerance: config.clockToleranceSeconds,
        }));
      } catch (err) {
        throw unauthenticated(`the bearer token was refused (${describeJoseError(err)})`, err);
      }
      return identityFromClaims(payload, config);
    },
  };
}

/** The identity a verified token's claims describe; a malformed scope claim refuses the token. */
export function identityFromClaims(payload: JWTPayload, config: JwtConfig): Identity {
  const user = claim(payload, config.claims.user);
  if (typeof user !== 'string' || !/^[\w.@:|-]{1,128}$/.test(user)) {
    throw unauthenticated(`the bearer token has no usable ${config.claims.user} claim for the user id`);
  }
  const rawDomains = claim(payload, config.claims.domains);
  const domains =
    rawDomains === undefined ? config.defaultDomains : typeof rawDomains === 'string' ? rawDomains.split(/[\s,]+/).filter(Boolean) : rawDomains;
  const rawApps = claim(payload, config.claims.apps);
  const scope = scopeSpecSchema.safeParse({ domains, ...(rawApps === undefined ? {} : { apps: rawApps }) });
  if (!scope.success) {
    throw unauthenticated(`the bearer token's scope claims (${config.claims.domains}, ${config.claims.apps}) are not valid: ${scope.error.issues[0]?.message}`);
  }
  return makeIdentity({ user, via: 'jwt', role: roleFrom(claim(payload, config.claims.role), config.defaultRole), scope: scope.data, credential: payload.jti });
}

/** A role string, or the highest known role in a list (providers often send every group). */
function roleFrom(value: unknown, fallback: Role): Role {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const known = values.filter((v): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v));
  if (known.includes('admin')) return 'admin';
  if (known.includes('reader')) return 'reader';
  return fallback;
}

function claim(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let cur: unknown = payload;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function describeJoseError(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ERR_JWT_EXPIRED') return 'expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return `claim ${(err as { claim?: string }).claim} does not match`;
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'bad signature';
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'algorithm not allowed';
  return code ?? 'malformed';
}

export function unauthenticated(message: string, cause?: unknown): LogfedError {
  return new LogfedError('UNAUTHENTICATED', message, { cause });
}
