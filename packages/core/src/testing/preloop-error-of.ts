import { isPreloopError, type PreloopError } from '../errors.js';

/**
 * The `PreloopError` that `promise` rejects with; throws (failing the test)
 * when it resolves or rejects with anything else.
 *
 * @example
 * ```ts
 * expect(await preloopErrorOf(client.getIssue({ project: 'OPS', number: '404' }))).toMatchObject({ code: 'TRACKER_NOT_FOUND' });
 * ```
 */
export async function preloopErrorOf(promise: Promise<unknown>): Promise<PreloopError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!isPreloopError(error)) throw new Error(`expected a PreloopError, got ${String(error)}`);
  return error;
}
