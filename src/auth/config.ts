// The `auth:` section of logfed.yaml: anonymous access, API keys, JWT, and the secret that keys
// the pseudonyms of masked values. Without the section the embedded demo lets anyone in as admin
// (the banner says so) and any other configuration lets nobody in until auth is configured.

import { z } from 'zod';
import { roleSchema } from './identity.js';
import { configKeySchema } from './keys.js';
import { jwtConfigSchema } from './jwt.js';
import { scopeSpecSchema } from './scope.js';

export const authConfigSchema = z
  .object({
    anonymous: z
      .object({
        enabled: z.boolean().default(false),
        role: roleSchema.default('reader'),
        scope: scopeSpecSchema.default({ domains: ['*'] }),
        /**
         * Take the user id for affinity from the `x-logfed-user` header (or connection param).
         * Only anonymous callers may name themselves; an authenticated caller is who the key says.
         */
        userHeader: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** Keys stored as hashes in config (see docs/security.md for minting one). */
    keys: z.array(configKeySchema).default([]),
    /** Also look keys up in MySQL (`<prefix>api_keys`) when MySQL is configured. */
    mysqlKeys: z.boolean().default(true),
    jwt: jwtConfigSchema.optional(),
    /**
     * Keys the pseudonyms of values masked on read, so the same value masks the same way on every
     * replica and across restarts. When absent a random secret is drawn at start.
     */
    maskSecret: z.string().min(16, 'expected at least 16 characters').optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const ids = new Set<string>();
    a.keys.forEach((k, i) => {
      if (ids.has(k.id)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'id'], message: `expected unique key ids; ${k.id} appears twice` });
      ids.add(k.id);
    });
  });

export type AuthConfig = z.output<typeof authConfigSchema>;

/** The demo's default: anyone is admin of everything, which suits a laptop and nothing else. */
export const DEMO_AUTH: AuthConfig = authConfigSchema.parse({ anonymous: { enabled: true, role: 'admin' } });
/** Any other configuration without `auth:` lets nobody in. */
export const LOCKED_AUTH: AuthConfig = authConfigSchema.parse({});

export function authSettings(config: { auth?: AuthConfig; demo: { enabled: boolean } }): AuthConfig {
  return config.auth ?? (config.demo.enabled ? DEMO_AUTH : LOCKED_AUTH);
}
