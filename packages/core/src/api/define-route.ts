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

/** A response body that is not JSON (an HTML page, an event stream, a text exposition): documented by its media type, not validated. */
export interface MediaBody {
  /** Media type, for example `text/html` or `text/event-stream`. */
  mediaType: string;
  /** One line for the OpenAPI document. @default none */
  description?: string;
}

/** What a status answers: a zod schema of the JSON body, `null` for no body, a non-JSON {@link MediaBody}, or several of these. */
export type RouteBody = z.ZodType | MediaBody | null | readonly (z.ZodType | MediaBody)[];

/**
 * `true` when the output of a zod schema and `Type` are assignable both ways;
 * with `satisfies`, a compile-time check that a response schema and the service
 * type it describes have not drifted apart.
 *
 * @example
 * ```ts
 * true satisfies SchemaAgrees<typeof userSchema, User>;
 * ```
 */
export type SchemaAgrees<Schema extends z.ZodType, Type> = [z.output<Schema>] extends [Type]
  ? [Type] extends [z.output<Schema>]
    ? true
    : false
  : false;

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
  /**
   * The body of the success answer (status `status`): a zod schema of the JSON
   * body, `null` for no body (204), a {@link MediaBody} for a body that is not
   * JSON (a page, a stream, text), or a list of these when it varies. It goes
   * into the OpenAPI document and, with `validateResponses`, every answer is
   * checked against it. Every route declares one (a route built without
   * TypeScript that leaves it out is documented without a body and not checked).
   */
  response: RouteBody;
  /** Success status: the status of a handler's return value that is not a `Response`. @default 200 */
  status?: number;
  /**
   * Error statuses the route answers beyond those every route may answer (400;
   * 401, 403 and 503 on authenticated routes; 413 where a body is read; 500),
   * for example `[404, 409]`. Each answers the one error body
   * (`errorBodySchema`). @default []
   */
  errors?: readonly number[];
  /**
   * Further statuses with a body of their own: a second success status (`202`),
   * or an error status whose body carries more than the error (a readiness 503).
   * Overrides `errors` and the automatic statuses for the same status. @default {}
   */
  responses?: Readonly<Record<number, RouteBody>>;
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
 * What a handler may return as data for a route whose success body is `Answer`
 * (sent as JSON with the route's status): what the schema accepts, nothing for
 * `null`; a non-JSON body is returned as a `Response`. Unchecked (`unknown`)
 * when `Answer` is not known, as when `defineRoute` is given its type
 * arguments explicitly (TypeScript then infers none of them).
 */
export type RouteData<Answer extends RouteBody> = [RouteBody] extends [Answer]
  ? unknown
  : Answer extends z.ZodType
    ? z.input<Answer>
    : Answer extends null
      ? void | null | undefined
      : Answer extends readonly (infer Part)[]
        ? Part extends z.ZodType
          ? z.input<Part>
          : never
        : never;

/**
 * Declares an admin API route with inferred body and query types; the
 * handler's data must be what the `response` schema accepts (or a `Response`).
 *
 * @example
 * ```ts
 * export const getUser = defineRoute({
 *   method: 'GET', path: '/users/:id', summary: 'Get a user', tag: 'users',
 *   access: { role: 'viewer' },
 *   response: userSchema, errors: [404],
 *   handler: ({ params, preloop, principal }) => preloop.identity.users.get(principal!.accountId, params.id),
 * });
 * ```
 */
export function defineRoute<Body = undefined, Query = undefined, Answer extends RouteBody = RouteBody>(
  route: Omit<AdminRoute<Body, Query>, 'response' | 'handler'> & {
    response: Answer;
    handler(context: RouteContext<Body, Query>): Promise<Response | RouteData<NoInfer<Answer>>> | Response | RouteData<NoInfer<Answer>>;
  },
): AdminRoute<Body, Query> {
  return route;
}
