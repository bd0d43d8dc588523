import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the Unix time (seconds) the sender signed at. */
export const webhookTimestampHeader = 'x-preloop-timestamp';
/** The header carrying `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export const webhookSignatureHeader = 'x-preloop-signature';
/** The header carrying the sender's unique delivery id (replay protection). */
export const webhookDeliveryHeader = 'x-preloop-delivery';

/**
 * Signs a flow webhook delivery: `v1=` and the hex HMAC-SHA256, keyed with the
 * flow's webhook secret, of `<timestamp>.<raw body>`.
 *
 * @example
 * ```ts
 * const timestamp = Math.floor(Date.now() / 1000);
 * const signature = signWebhook(secret, timestamp, body); // header X-Preloop-Signature
 * ```
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a flow webhook delivery's timestamp (within `toleranceSeconds` of
 * `now`) and signature (constant-time; any `v1=` of a comma-separated list may
 * match, for secret rotation). Returns null when authentic, else why not.
 *
 * @example
 * ```ts
 * const problem = verifyWebhook({ secret, timestamp, signature, body, now: Date.now(), toleranceSeconds: 300 });
 * ```
 */
export function verifyWebhook(input: {
  secret: string;
  timestamp: string | null;
  signature: string | null;
  body: string;
  now: number;
  toleranceSeconds: number;
}): string | null {
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp)) return `missing or malformed ${webhookTimestampHeader} header`;
  const timestamp = Number(input.timestamp);
  if (Math.abs(input.now / 1000 - timestamp) > input.toleranceSeconds)
    return `the timestamp is more than ${input.toleranceSeconds} s away from the server's clock`;
  if (!input.signature) return `missing ${webhookSignatureHeader} header`;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const matches = input.signature
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return matches ? null : 'the signature does not match';
}
