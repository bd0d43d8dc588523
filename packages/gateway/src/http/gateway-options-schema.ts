/**
 * The gateway handler's options as data (a configuration file's `gateway:`
 * section): everything in {@link GatewayOptions} that is not code.
 *
 * @module
 */

import { z } from 'zod';
import type { GatewayOptions } from './gateway-options.js';

const positiveInteger = z.number().int().min(1);
const milliseconds = z.number().int().min(1).max(86_400_000);

const rateLimitSchema = z.strictObject({
  requestsPerMinute: positiveInteger.describe('Sustained requests per minute'),
  burst: positiveInteger.optional().describe("Requests allowed at once after a quiet period (default: ten seconds' worth, at least 1)"),
});

/**
 * Zod schema of the gateway handler's options that can be written as data
 * (all but `fetch`): body limit and body timeout, timeouts, rate limits, budget reservation
 * bounds, body capture, fallbacks, `auditCalls` and `countTokens`. Unknown
 * keys are errors.
 *
 * @example
 * ```ts
 * const options = gatewayOptionsSchema.parse({ bodyLimitBytes: 8_388_608, timeouts: { firstByteMs: 30_000 }, auditCalls: 'failures' });
 * createNodeGateway(preloop, options);
 * ```
 */
export const gatewayOptionsSchema = z.strictObject({
  basePaths: z
    .strictObject({
      openai: z.string().startsWith('/').optional(),
      anthropic: z.string().startsWith('/').optional(),
      gemini: z.string().startsWith('/').optional(),
    })
    .optional(),
  bodyLimitBytes: positiveInteger
    .max(1024 * 1024 * 1024)
    .optional()
    .describe('Largest request body in bytes (default 33554432, 32 MiB)'),
  bodyTimeoutMs: milliseconds
    .optional()
    .describe('Longest silence while a request body is read; a stalled upload gets 408 (default 30000)'),
  timeouts: z
    .strictObject({
      firstByteMs: milliseconds.optional().describe('Longest wait for the upstream to start answering (default 60000)'),
      idleMs: milliseconds.optional().describe('Longest silence between stream events (default 120000)'),
      totalMs: milliseconds.optional().describe('Longest call (default 600000)'),
    })
    .optional(),
  rateLimits: z.strictObject({ apiKey: rateLimitSchema.optional(), agent: rateLimitSchema.optional() }).optional(),
  budgets: z
    .strictObject({
      defaultMaxOutputTokens: positiveInteger
        .optional()
        .describe('Output tokens reserved for a call without an output limit (default 8192)'),
      fixedInputTokens: z.number().int().min(0).optional().describe('Input tokens added to every reservation (default 2048)'),
      unpriced: z.enum(['deny', 'allow']).optional().describe('A call to an unpriced model under a hard limit (default deny)'),
    })
    .optional(),
  capture: z
    .strictObject({
      bodies: z.boolean().optional().describe('Keep redacted request and response bodies in gateway events (default false)'),
      maxBytes: positiveInteger.optional().describe('Largest kept body in bytes (default 16384)'),
    })
    .optional(),
  maxFallbacks: z.number().int().min(0).max(10).optional().describe('Fallbacks tried per call (default 2)'),
  auditCalls: z.enum(['all', 'failures']).optional().describe('Which model calls get their own audit record (default all)'),
  countTokens: z.enum(['estimate', 'refuse']).optional().describe('count_tokens on an OpenAI-format alias (default estimate)'),
  modelNames: z
    .record(z.string().min(1), z.string().min(1))
    .optional()
    .describe('Client model names (exact or globs with *) served by an alias, e.g. claude-sonnet-*: smart (default none)'),
}) satisfies z.ZodType<Omit<GatewayOptions, 'fetch'>>;

/** The gateway handler's options as written in a configuration file. */
export type GatewayOptionsInput = z.input<typeof gatewayOptionsSchema>;
