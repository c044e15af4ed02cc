// Who is asking: the identity an API key, a JWT or anonymous access resolves to, with the role
// and scope every resolver checks. Built once per HTTP request or WebSocket connection.

import { z } from 'zod';
import { compileScope, type Scope, type ScopeSpec } from './scope.js';

export const ROLES = ['reader', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** An admin may do whatever a reader may. */
const RANK: Record<Role, number> = { reader: 0, admin: 1 };
export const roleAtLeast = (have: Role, need: Role) => RANK[have] >= RANK[need];

export interface Identity {
  /** The caller's id: affinity learns per user, and logs name it. */
  user: string;
  via: 'api-key' | 'jwt' | 'anonymous';
  role: Role;
  scope: Scope;
  /** The API key id or the token's `jti`, for logs; never the secret. */
  credential?: string;
}

export function makeIdentity(o: { user: string; via: Identity['via']; role: Role; scope: ScopeSpec; credential?: string }): Identity {
  return { user: o.user, via: o.via, role: o.role, scope: compileScope(o.scope), credential: o.credential };
}
