// The security parts of a runtime: who may call (the authenticator), and what leaves the gateway
// (the egress step of the query chain and the tail's masking index). Built once at start from
// the `auth:` section; the server authenticates through it and resolvers reach it through the
// runtime.

import { authSettings, type AuthConfig } from '../auth/config.js';
import { createAuthenticator, type Authenticator } from '../auth/authenticate.js';
import { createSensitiveIndex, egressStep, type SensitiveIndex } from '../auth/egress.js';
import { createReadMasker, type ReadMasker } from '../auth/mask.js';
import type { Config } from '../config/schema.js';
import { log } from '../observe/logger.js';
import type { Middleware } from '../query/request.js';
import type { TopologyStore } from '../topology/types.js';
import type { Services } from './services.js';

export interface Security {
  auth: Authenticator;
  settings: AuthConfig;
  masker: ReadMasker;
  /** Sensitive fields of live events, by their logstores. */
  sensitive: SensitiveIndex;
  /** The query chain's last step before the merge: scope check and masking. */
  egress: Middleware;
}

export async function createSecurity(config: Config, services: Pick<Services, 'mysql'>, topology: TopologyStore): Promise<Security> {
  const settings = authSettings(config);
  const auth = await createAuthenticator(settings, { mysql: services.mysql });
  // One secret for the compute core's masks and masking on read: a value masked either way joins.
  const secret = settings.maskSecret ?? (config as { compute?: { maskSecret?: string } }).compute?.maskSecret;
  if (!secret) log.info('auth.maskSecret is not set: values masked on read are keyed per process and change on restart');
  const masker = createReadMasker(secret);
  return { auth, settings, masker, sensitive: createSensitiveIndex(topology), egress: egressStep(masker) };
}
