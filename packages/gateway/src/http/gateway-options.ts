/**
 * Options of `createGateway` and their defaults.
 *
 * @module
 */

import { compileModelNames, type ModelNameRule } from '../calls/model-names.js';
import type { RateLimits } from './rate-limiter.js';

/** Upstream timeouts. */
export interface GatewayTimeouts {
  /**
   * Longest wait for the upstream to start answering, in ms: a stream's first
   * event, or a non-streaming call's response headers. A non-streaming answer
   * arrives whole, once generated, so long generations (large `max_tokens`,
   * reasoning models) need streaming or a larger value. @default 60000
   */
  firstByteMs?: number;
  /** Streaming calls: longest silence between upstream chunks, in ms. @default 120000 */
  idleMs?: number;
  /** Any call: longest total duration, in ms (it also bounds how long a budget reservation is held). @default 600000 */
  totalMs?: number;
}

/** How calls are charged against budgets. */
export interface GatewayBudgetOptions {
  /** Output tokens assumed for the reservation when a request sets no output limit. @default 8192 */
  defaultMaxOutputTokens?: number;
  /** Input tokens added to every reservation for what is not in the body (images by URL, provider-added tool prompts). @default 2048 */
  fixedInputTokens?: number;
  /** A call to an unpriced model under a hard limit: `deny` (its cost cannot be bounded) or `allow` (charged $0). @default 'deny' */
  unpriced?: 'deny' | 'allow';
}

/** Capture of request and response bodies in gateway events (runtime sessions only). */
export interface GatewayCaptureOptions {
  /** Store the (redacted) request and response bodies with each gateway event. @default false */
  bodies?: boolean;
  /** Largest stored body, in bytes, after redaction. @default 16384 */
  maxBytes?: number;
}

/** Options of `createGateway`. */
export interface GatewayOptions {
  /** Where each ingress is served. @default { openai: '/openai/v1', anthropic: '/anthropic/v1', gemini: '/gemini/v1beta' } */
  basePaths?: { openai?: string; anthropic?: string; gemini?: string };
  /** Largest request body, in bytes; larger ones get 413 before being parsed. @default 33554432 (32 MiB) */
  bodyLimitBytes?: number;
  /**
   * Longest silence while a request body is read, in ms (restarted by every
   * piece that arrives): a client that stops sending mid-upload gets 408 in
   * the ingress's error shape and the connection is closed. A slow upload
   * that keeps sending is not cut; on `http.createServer` Node's own
   * `requestTimeout` (300 s by default) bounds the whole request. @default 30000
   */
  bodyTimeoutMs?: number;
  /** Upstream timeouts. */
  timeouts?: GatewayTimeouts;
  /** Per-key and per-agent rate limits. @default none */
  rateLimits?: RateLimits;
  /** Budget reservation settings. */
  budgets?: GatewayBudgetOptions;
  /** Body capture in gateway events. */
  capture?: GatewayCaptureOptions;
  /** Most fallbacks tried for one call (each before the first byte only). @default 2 */
  maxFallbacks?: number;
  /**
   * Which model calls get their own record in the tamper-evident audit trail:
   * `all`, or `failures` (refusals, upstream errors, timeouts and
   * cancellations; successful calls are then in the usage records only). A
   * per-call audit record is the largest cost of a call (hash chaining and
   * its write): `failures` roughly doubles throughput on SQLite.
   * @default 'all'
   */
  auditCalls?: 'all' | 'failures';
  /**
   * `POST /anthropic/v1/messages/count_tokens` for an alias served by an
   * OpenAI-format provider, which has no such endpoint, and the Gemini
   * ingress's `:countTokens` for an alias not served in the Gemini format:
   * `estimate` (about 4 characters per token, marked with
   * `x-preloop-token-count: estimated`) or `refuse` (400). @default 'estimate'
   */
  countTokens?: 'estimate' | 'refuse';
  /**
   * Client model names (exact, or globs with `*`) served by an alias, for
   * clients whose model names you do not choose: Claude Code asks for
   * `claude-opus-…`, `claude-sonnet-…` and `claude-haiku-…` ids that change
   * with its releases. An exact entry wins over a glob; among globs the first
   * written wins; a name that is itself an alias is not remapped by a glob.
   * Policy applies to the alias. @default {} (names are aliases)
   * @example { 'claude-opus-*': 'smart', 'claude-sonnet-*': 'smart', 'claude-haiku-*': 'fast' }
   */
  modelNames?: Record<string, string>;
  /**
   * A `fetch` for upstream calls (other runtimes, tests). By default upstream
   * calls go through Node's `http`/`https` with keep-alive agents, which costs
   * far less per call than `fetch`. @default none (Node transport)
   */
  fetch?: typeof fetch;
}

/** Options with every default applied. */
export interface ResolvedGatewayOptions {
  basePaths: { openai: string; anthropic: string; gemini: string };
  bodyLimitBytes: number;
  bodyTimeoutMs: number;
  timeouts: Required<GatewayTimeouts>;
  rateLimits: RateLimits;
  budgets: Required<GatewayBudgetOptions>;
  capture: Required<GatewayCaptureOptions>;
  maxFallbacks: number;
  auditCalls: 'all' | 'failures';
  countTokens: 'estimate' | 'refuse';
  modelNames: ModelNameRule[];
  fetch: typeof fetch | null;
}

const trimPath = (path: string) => `/${path.replace(/^\/+|\/+$/g, '')}`;

/**
 * Applies the defaults.
 *
 * @example
 * ```ts
 * resolveGatewayOptions({ timeouts: { totalMs: 60_000 } }).timeouts.firstByteMs; // 60000
 * ```
 */
export function resolveGatewayOptions(options: GatewayOptions = {}): ResolvedGatewayOptions {
  return {
    basePaths: {
      openai: trimPath(options.basePaths?.openai ?? '/openai/v1'),
      anthropic: trimPath(options.basePaths?.anthropic ?? '/anthropic/v1'),
      gemini: trimPath(options.basePaths?.gemini ?? '/gemini/v1beta'),
    },
    bodyLimitBytes: options.bodyLimitBytes ?? 32 * 1024 * 1024,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
    timeouts: {
      firstByteMs: options.timeouts?.firstByteMs ?? 60_000,
      idleMs: options.timeouts?.idleMs ?? 120_000,
      totalMs: options.timeouts?.totalMs ?? 600_000,
    },
    rateLimits: options.rateLimits ?? {},
    budgets: {
      defaultMaxOutputTokens: options.budgets?.defaultMaxOutputTokens ?? 8192,
      fixedInputTokens: options.budgets?.fixedInputTokens ?? 2048,
      unpriced: options.budgets?.unpriced ?? 'deny',
    },
    capture: { bodies: options.capture?.bodies ?? false, maxBytes: options.capture?.maxBytes ?? 16_384 },
    maxFallbacks: options.maxFallbacks ?? 2,
    auditCalls: options.auditCalls ?? 'all',
    countTokens: options.countTokens ?? 'estimate',
    modelNames: compileModelNames(options.modelNames),
    fetch: options.fetch ?? null,
  };
}
