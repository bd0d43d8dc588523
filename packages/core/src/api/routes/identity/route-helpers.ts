import { z } from 'zod';
import { PreloopError } from '../../../errors.js';
import { roleAtLeast, type Principal, type Role } from '../../../identity/principal.js';
import { json } from '../../respond.js';
import { pageQueryShape } from '../../../pagination/cursor-pagination.js';

/** Query of every identity list: `?cursor=&limit=` (limit 1–200, default 50). */
export const listQuery = z.object(pageQueryShape);

/** A `true`/`false` query parameter. */
export const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

/** An id in a path or body. */
export const idSchema = z.string().min(1).max(100);

/** A short display name. */
export const nameSchema = z.string().trim().min(1).max(200);

/**
 * The authenticated principal of a non-public route (the admin API guarantees it).
 *
 * @example
 * ```ts
 * const principal = requirePrincipal(context.principal);
 * ```
 */
export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw new PreloopError('UNAUTHENTICATED', 'Authentication required.');
  return principal;
}

/**
 * True when the principal may manage identity: a user of role admin or owner,
 * or an API key of such a user that carries `admin:write`.
 *
 * @example
 * ```ts
 * if (!isIdentityManager(principal)) throw forbidden();
 * ```
 */
export function isIdentityManager(principal: Principal): boolean {
  if (principal.type === 'user') return roleAtLeast(principal.role, 'admin');
  if (principal.type === 'api_key') return roleAtLeast(principal.role, 'admin') && principal.scopes.includes('admin:write');
  return false;
}

/**
 * Refuses (403) when `target` outranks the principal's own role: an admin cannot create, change or remove an owner.
 *
 * @example
 * ```ts
 * assertRoleWithinOwn(principal, body.role, 'create a user with role');
 * ```
 */
export function assertRoleWithinOwn(principal: Principal, target: Role, what: string): void {
  if (!roleAtLeast(principal.role, target)) {
    throw new PreloopError('FORBIDDEN', `Your role (${principal.role ?? 'none'}) may not ${what} ${target}.`);
  }
}

/**
 * A JSON response that no cache may keep (it carries a secret shown once).
 *
 * @example
 * ```ts
 * return noStore({ apiKey, key }, 201);
 * ```
 */
export function noStore(data: unknown, status = 200, headers?: HeadersInit): Response {
  const responseHeaders = new Headers(headers);
  responseHeaders.set('cache-control', 'no-store');
  return json(data, status, responseHeaders);
}
