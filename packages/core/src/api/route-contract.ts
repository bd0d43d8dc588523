import { z } from 'zod';
import type { AdminRoute, MediaBody, RouteBody } from './define-route.js';

/**
 * The one error body of the admin API, as `PreloopError.toJSON()` writes it:
 * `{ error: { code, message, details? } }`. Every error status answers it.
 */
export const errorBodySchema = z.object({
  error: z.object({
    /** Stable UPPER_SNAKE code, for example `NOT_FOUND`. */
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    /** What went wrong, for a person. */
    message: z.string(),
    /** Client-safe structured details (for example the invalid fields of a `VALIDATION_ERROR`). */
    details: z.unknown().optional(),
  }),
});

/** The error body every error status of the admin API answers. */
export type ApiErrorBody = z.output<typeof errorBodySchema>;

/**
 * The schema of a page of a list: `{ items, nextCursor }` (`nextCursor` is null
 * on the last page), as every cursor-paginated route answers it.
 *
 * @example
 * ```ts
 * const response = pageOf(userSchema);
 * ```
 */
export function pageOf<Item extends z.ZodType>(
  item: Item,
): z.ZodObject<{ items: z.ZodArray<Item>; nextCursor: z.ZodNullable<z.ZodString> }> {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** What one status of a route answers: the JSON body schema (`null`: JSON is not answered), and the other media types. */
export interface StatusContract {
  /** Schema of the JSON body; `null` when this status answers no JSON. */
  json: z.ZodType | null;
  /** Non-JSON bodies this status may answer. */
  media: MediaBody[];
  /** True when this status may answer with no body at all. */
  empty: boolean;
}

/** Error statuses any route may answer, and where they come from. */
const automaticErrors = {
  /** A path or query string holding NUL or a lone surrogate, or an invalid body, query or path parameter. */
  always: [400, 500],
  /** No or a refused credential, a missing role or scope, a cross-origin write; an unreachable store while authenticating. */
  authenticated: [401, 403, 503],
  /** A malformed or oversize body. */
  reading: [400, 413],
} as const;

const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every status a route may answer and its body: the success status with
 * `response`, the automatic error statuses (400 and 500 always; 401, 403 and
 * 503 on authenticated routes; 413 where a body is read), the route's `errors`,
 * then its `responses`. Statuses come out in ascending order.
 *
 * @example
 * ```ts
 * for (const [status, contract] of routeContract(route)) console.log(status, contract.json !== null);
 * ```
 */
export function routeContract(route: AdminRoute): Map<number, StatusContract> {
  const statuses = new Map<number, StatusContract>();
  statuses.set(route.status ?? 200, toStatusContract(route.response ?? null));
  const errors = [
    ...automaticErrors.always,
    ...(route.access === 'public' ? [] : automaticErrors.authenticated),
    ...(route.body || bodyMethods.has(route.method) ? automaticErrors.reading : []),
    ...(route.errors ?? []),
  ];
  for (const status of errors) if (!statuses.has(status)) statuses.set(status, toStatusContract(errorBodySchema));
  for (const [status, body] of Object.entries(route.responses ?? {})) statuses.set(Number(status), toStatusContract(body));
  return new Map([...statuses].sort(([a], [b]) => a - b));
}

function toStatusContract(body: RouteBody): StatusContract {
  const parts = body === null ? [] : isList(body) ? body : [body];
  const json = parts.find((part): part is z.ZodType => !isMediaBody(part)) ?? null;
  return { json, media: parts.filter(isMediaBody), empty: body === null };
}

function isList(body: RouteBody): body is readonly (z.ZodType | MediaBody)[] {
  return Array.isArray(body);
}

/**
 * True when a route body is a non-JSON {@link MediaBody} rather than a zod schema.
 *
 * @example
 * ```ts
 * isMediaBody({ mediaType: 'text/html' }); // true
 * ```
 */
export function isMediaBody(body: unknown): body is MediaBody {
  return typeof body === 'object' && body !== null && typeof (body as MediaBody).mediaType === 'string' && !('_zod' in body);
}
