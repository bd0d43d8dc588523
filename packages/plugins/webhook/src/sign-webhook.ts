import { createHmac } from 'node:crypto';
import { decodeWebhookSecret } from './webhook-secret.js';

/** What {@link signWebhook} signs. */
export interface WebhookSigningInput {
  /** The message id: the same on every retry (the receiver's idempotency key). */
  id: string;
  /** Seconds since the epoch, fresh on every attempt. */
  timestamp: number;
  /** The exact body sent. */
  body: string;
  /** The current secret first, then earlier ones still in rotation. */
  secrets: readonly string[];
}

/**
 * The Standard Webhooks headers for one delivery: `webhook-id`,
 * `webhook-timestamp` and `webhook-signature`, which holds one `v1,<base64
 * HMAC-SHA256 over "id.timestamp.body">` per secret, separated by spaces (so a
 * receiver holding either the new or the old secret verifies during a rotation).
 *
 * @example
 * ```ts
 * const headers = signWebhook({ id: 'msg_1', timestamp: Math.floor(Date.now() / 1000), body, secrets: [secret] });
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 * ```
 */
export function signWebhook(input: WebhookSigningInput): {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
} {
  const content = `${input.id}.${input.timestamp}.${input.body}`;
  const signatures = input.secrets.map((secret, index) => {
    const key = decodeWebhookSecret(secret, index === 0 ? 'secret' : `previousSecrets[${index - 1}]`);
    return `v1,${createHmac('sha256', key).update(content, 'utf8').digest('base64')}`;
  });
  return { 'webhook-id': input.id, 'webhook-timestamp': String(input.timestamp), 'webhook-signature': signatures.join(' ') };
}
