import { PreloopError } from '../errors.js';
import type { AdminRoute } from './define-route.js';
import type { StatusContract } from './route-contract.js';
import { formatPath, type FieldIssue } from './validate.js';

/**
 * Checks one answer of `route` against its contract (see `routeContract`): the
 * status must be declared, a JSON body must match that status's schema with no
 * undeclared field, a non-JSON body must be one of its media types, and an empty
 * body must be allowed. Returns the response untouched; throws a 500
 * `RESPONSE_SCHEMA_MISMATCH` naming the route, the status and the path of each
 * mismatch (in the message and in `details.issues`).
 *
 * @example
 * ```ts
 * const checked = await checkResponse(route, routeContract(route), await handle(request));
 * ```
 */
export async function checkResponse(
  route: AdminRoute,
  contract: ReadonlyMap<number, StatusContract>,
  response: Response,
): Promise<Response> {
  const status = response.status;
  const expected = contract.get(status);
  if (!expected) {
    const declared = [...contract.keys()].join(', ');
    throw mismatch(route, status, [
      { path: '', message: `status ${status} is not declared (declared: ${declared}); add it to the route's errors or responses` },
    ]);
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (response.body === null) {
    if (!expected.empty) throw mismatch(route, status, [{ path: '', message: 'answered no body where the contract declares one' }]);
    return response;
  }
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    if (!expected.json)
      throw mismatch(route, status, [{ path: '', message: `answered JSON where the contract declares ${describe(expected)}` }]);
    const text = await response.clone().text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw mismatch(route, status, [{ path: '', message: 'answered a body that is not valid JSON' }]);
    }
    const result = expected.json.safeParse(body);
    if (!result.success)
      throw mismatch(
        route,
        status,
        result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
      );
    const extra = findUndeclaredKey(body, result.data, []);
    if (extra) throw mismatch(route, status, [{ path: formatPath(extra), message: 'field not declared in the schema' }]);
    return response;
  }
  if (!expected.media.some((media) => media.mediaType === mediaType)) {
    throw mismatch(route, status, [
      { path: '', message: `answered ${mediaType || 'a body without a content type'} where the contract declares ${describe(expected)}` },
    ]);
  }
  return response;
}

/** The path of the first key of `input` that parsing dropped from `output` (an undeclared field of a `z.object`), or null. */
function findUndeclaredKey(input: unknown, output: unknown, path: PropertyKey[]): PropertyKey[] | null {
  if (Array.isArray(input) && Array.isArray(output)) {
    for (let index = 0; index < input.length; index++) {
      const found = findUndeclaredKey(input[index], output[index], [...path, index]);
      if (found) return found;
    }
    return null;
  }
  if (!isPlainObject(input) || !isPlainObject(output)) return null;
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(output, key)) return [...path, key];
    const found = findUndeclaredKey(input[key], output[key], [...path, key]);
    if (found) return found;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(expected: StatusContract): string {
  const kinds = [
    ...(expected.json ? ['JSON'] : []),
    ...expected.media.map((media) => media.mediaType),
    ...(expected.empty ? ['no body'] : []),
  ];
  return kinds.join(' or ') || 'nothing';
}

function mismatch(route: AdminRoute, status: number, issues: FieldIssue[]): PreloopError {
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
  return new PreloopError(
    'RESPONSE_SCHEMA_MISMATCH',
    `${route.method} ${route.path} answered ${status} with a body its contract does not describe: ${summary}`,
    {
      status: 500,
      details: { route: `${route.method} ${route.path}`, status, issues },
    },
  );
}
