/**
 * `@preloop/plugin-webhook`: approval notifications POSTed as JSON and signed
 * with the Standard Webhooks scheme, plus `verifyWebhook` for receivers.
 *
 * @packageDocumentation
 */
export { webhook, createWebhookNotifier, toWebhookPayload } from './webhook-plugin.js';
export type { WebhookOptions, WebhookPayload } from './webhook-plugin.js';
export { signWebhook } from './sign-webhook.js';
export type { WebhookSigningInput } from './sign-webhook.js';
export { verifyWebhook } from './verify-webhook.js';
export type { HeaderSource, VerifyWebhookOptions, VerifiedWebhook } from './verify-webhook.js';
export { createWebhookSecret, decodeWebhookSecret, webhookSecretPrefix, minimumSecretBytes } from './webhook-secret.js';
