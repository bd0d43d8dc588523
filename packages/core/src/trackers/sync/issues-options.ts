import { z } from 'zod';
import type { Preloop } from '../../kernel/preloop.js';
import type { IssueSimilarityOptions } from './issue-similarity.js';

/** Builds the model gateway's web handler from the kernel (pass `(preloop) => createGateway(preloop)` from `@preloop/gateway`). */
export type IssueSimilarityGatewayFactory = (preloop: Preloop) => (request: Request) => Promise<Response>;

/** Duplicate detection, as a `createPreloop` option (`issues.similarity`). */
export interface IssueSimilarityKernelOptions {
  /** The gateway model alias for embeddings (for example `text-embedding-3-small`). */
  model: string;
  /**
   * The gateway that computes the embeddings: the base URL it is served at
   * (in front of `/openai/v1`), or a function that builds its web handler
   * from the kernel, called once on the first embeddings call
   * (`(preloop) => createGateway(preloop)`), so the call stays in process.
   */
  gateway: string | IssueSimilarityGatewayFactory;
  /** Most issues of a project embedded by one `similar` call that finds them missing. @default 200 */
  backfillLimit?: number;
}

/** The unified issues' options of `createPreloop` (`issues`). */
export interface IssuesKernelOptions {
  /**
   * Duplicate detection's embeddings model; change it at run time with
   * `preloop.issues.similarity.configure(…)`.
   * @default undefined (no model: similar issues answer `available: false`)
   */
  similarity?: IssueSimilarityKernelOptions;
}

/** The zod schema of {@link IssuesKernelOptions}. */
export const issuesKernelOptionsSchema = z.strictObject({
  similarity: z
    .strictObject({
      model: z.string().trim().min(1, 'must be a gateway model alias for embeddings'),
      gateway: z.union(
        [
          z.url({ protocol: /^https?$/, error: 'must be an http(s) URL or a function (preloop) => gateway handler' }),
          z.custom<IssueSimilarityGatewayFactory>((value) => typeof value === 'function'),
        ],
        {
          error:
            'must be the gateway base URL (http or https) or a function (preloop) => gateway handler, for example (preloop) => createGateway(preloop)',
        },
      ),
      backfillLimit: z.number().int().min(1).max(10_000).optional(),
    })
    .optional(),
});

/**
 * Turns the kernel option into duplicate detection's settings; a gateway
 * factory is called once, on the first embeddings call.
 *
 * @example
 * ```ts
 * toIssueSimilarityOptions({ model: 'embed', gateway: 'https://preloop.example' }, () => preloop);
 * ```
 */
export function toIssueSimilarityOptions(
  option: IssueSimilarityKernelOptions | undefined,
  preloop: () => Preloop,
): IssueSimilarityOptions | null {
  if (!option) return null;
  const { gateway } = option;
  let handler: ((request: Request) => Promise<Response>) | undefined;
  return {
    model: option.model,
    gateway: typeof gateway === 'string' ? gateway : (request) => (handler ??= gateway(preloop()))(request),
    ...(option.backfillLimit !== undefined ? { backfillLimit: option.backfillLimit } : {}),
  };
}
