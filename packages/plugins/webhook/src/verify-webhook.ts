import { createHmac, timingSafeEqual } from 'node:crypto';
import { PreloopError } from '@preloop/core';
import { decodeWebhookSecret } from './webhook-secret.js';

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** Largest accepted distance between `webhook-timestamp` and now, in seconds. @default 300 */
  toleranceSeconds?: number;
  /** The current time in epoch ms (tests). @default Date.now() */
  now?: number;
}

/** A verified delivery. */
export interface VerifiedWebhook<T = unknown> {
  /** The message id: deduplicate on it (retries reuse it). */
  id: string;
  /** The attempt's timestamp, in seconds. */
  timestamp: number;
  /** The parsed JSON body. */
  payload: T;
}

/** The headers of a received webhook: web `Headers`, or a Node-style header record. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function refuse(code: string, message: string): PreloopError {
  return new PreloopError(code, message, { status: 401 });
}

/**
 * Verifies a Standard Webhooks delivery from Preloop (or any sender of the
 * scheme) and returns its parsed body: the three headers must be present, the
 * timestamp within `toleranceSeconds`, and one `v1` signature must match the
 * HMAC-SHA256 of `id.timestamp.body` under one of `secrets` (compared in
 * constant time). Pass the raw body exactly as received. Throws a 401
 * `PreloopError`: `WEBHOOK_HEADERS_MISSING`, `WEBHOOK_TIMESTAMP_OUT_OF_RANGE`
 * or `WEBHOOK_SIGNATURE_INVALID` (a signed body that is not JSON is a 400
 * `WEBHOOK_BODY_INVALID`).
 *
 * @example
 * ```ts
 * const { id, payload } = verifyWebhook(request.headers, await request.text(), [process.env.PRELOOP_WEBHOOK_SECRET!]);
 * ```
 */
export function verifyWebhook<T = unknown>(
  headers: HeaderSource,
  body: string | Uint8Array,
  secrets: string | readonly string[],
  options: VerifyWebhookOptions = {},
): VerifiedWebhook<T> {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatureText = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signatureText)
    throw refuse('WEBHOOK_HEADERS_MISSING', 'The webhook-id, webhook-timestamp and webhook-signature headers are required.');
  if (!/^\d{1,12}$/.test(timestampText)) throw refuse('WEBHOOK_TIMESTAMP_OUT_OF_RANGE', 'webhook-timestamp is not a number of seconds.');
  const timestamp = Number(timestampText);
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw refuse('WEBHOOK_TIMESTAMP_OUT_OF_RANGE', `webhook-timestamp is more than ${tolerance} seconds from now.`);
  }
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const content = `${id}.${timestampText}.${text}`;
  const candidates = signatureText
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  const keys = (typeof secrets === 'string' ? [secrets] : secrets).map((secret, index) => decodeWebhookSecret(secret, `secrets[${index}]`));
  const matched = keys.some((key) => {
    const expected = createHmac('sha256', key).update(content, 'utf8').digest();
    return candidates.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  });
  if (!matched) throw refuse('WEBHOOK_SIGNATURE_INVALID', 'No webhook signature matches the body under the configured secrets.');
  try {
    return { id, timestamp, payload: JSON.parse(text) as T };
  } catch {
    throw new PreloopError('WEBHOOK_BODY_INVALID', 'The signed body is not JSON.', { status: 400 });
  }
}
