import type { z } from 'zod';
import type { Principal, PrincipalType, Role } from '../identity/principal.js';
import type { Preloop } from '../kernel/preloop.js';

/** HTTP methods the admin API routes use. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route. */
export type RouteAccess =
  | 'public'
  | {
      /** The least role the principal (or the user behind an API key) must hold. @default 'viewer' */
      role?: Role;
      /** Principal types accepted. @default ['user', 'api_key'] */
      principals?: PrincipalType[];
    };

/** What a route handler receives. */
export interface RouteContext<Body = unknown, Query = unknown> {
  request: Request;
  /** Path parameters, for example `{ id }` for `/users/:id`. */
  params: Record<string, string>;
  /** The body, parsed and validated by the route's `body` schema. */
  body: Body;
  /** The query string, validated by the route's `query` schema. */
  query: Query;
  /** The authenticated principal; `null` only on public routes. */
  principal: Principal | null;
  /** The kernel. */
  preloop: Preloop;
}

/** Something a handler may return: a `Response`, or data sent as JSON with status 200. */
export type RouteResult = Response | unknown;

/** One admin API route: method, path, access, schemas (used for validation and the OpenAPI document) and handler. */
export interface AdminRoute<Body = any, Query = any> {
  method: RouteMethod;
  /** Path below `/api/v1`, with `:param` segments. */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  /** OpenAPI tag. */
  tag: string;
  /** Who may call it. */
  access: RouteAccess;
  /** Body schema; a body that does not match gets 400 naming the field. */
  body?: z.ZodType<Body>;
  /** Query schema. */
  query?: z.ZodType<Query>;
  /**
   * Path parameter schema (an object of strings); a parameter that does not
   * match gets 400 naming it. Handlers still read `params` as strings. @default any non-empty string
   */
  params?: z.ZodType<Record<string, string>>;
  /** The success response schema, for the OpenAPI document only. */
  response?: z.ZodType;
  /** Success status. @default 200 */
  status?: number;
  /**
   * Also accept an `application/x-www-form-urlencoded` body (a plain HTML form
   * post), parsed into an object of strings and validated by `body`. Only for
   * public routes whose body carries its own credential (such as a decision-link
   * token): form posts are not CSRF-safe for cookie sessions. @default false
   */
  acceptForm?: boolean;
  /**
   * Leave the body unread, for the handler to read from `request` (with
   * `readTextBody`): a signed webhook whose signature covers the exact bytes
   * (Slack, GitHub). Only on public routes without a `body` schema; the handler
   * must check the body's credential before trusting it. @default false
   */
  rawBody?: boolean;
  handler(context: RouteContext<Body, Query>): Promise<RouteResult> | RouteResult;
}

/**
 * Declares an admin API route with inferred body and query types.
 *
 * @example
 * ```ts
 * export const getUser = defineRoute({
 *   method: 'GET', path: '/users/:id', summary: 'Get a user', tag: 'users',
 *   access: { role: 'viewer' },
 *   handler: ({ params, preloop, principal }) => preloop.identity.users.get(principal!.accountId, params.id),
 * });
 * ```
 */
export function defineRoute<Body = undefined, Query = undefined>(route: AdminRoute<Body, Query>): AdminRoute<Body, Query> {
  return route;
}
