import { randomBytes } from 'node:crypto';
import { PreloopError } from '@preloop/core';

/** The prefix of Standard Webhooks secrets. */
export const webhookSecretPrefix = 'whsec_';

/** The shortest secret accepted when signing, in bytes (the Standard Webhooks minimum). */
export const minimumSecretBytes = 24;

/**
 * Decodes a `whsec_<base64>` secret to its key bytes. A secret without the
 * prefix is read as base64 too. An empty or undecodable secret is a
 * `CONFIGURATION_ERROR` naming `where`.
 *
 * @example
 * ```ts
 * const key = decodeWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'secret');
 * ```
 */
export function decodeWebhookSecret(secret: string, where = 'secret'): Buffer {
  if (typeof secret !== 'string')
    throw new PreloopError('CONFIGURATION_ERROR', `webhook: option "${where}" must be a string such as whsec_<base64>.`);
  const encoded = secret.startsWith(webhookSecretPrefix) ? secret.slice(webhookSecretPrefix.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new PreloopError('CONFIGURATION_ERROR', `webhook: option "${where}" is not whsec_ followed by base64.`);
  }
  return Buffer.from(encoded, 'base64');
}

/**
 * Creates a new random secret (32 bytes) in the `whsec_<base64>` format.
 *
 * @example
 * ```ts
 * const secret = createWebhookSecret(); // "whsec_…"
 * ```
 */
export function createWebhookSecret(): string {
  return `${webhookSecretPrefix}${randomBytes(32).toString('base64')}`;
}
