import { createHash, createHmac } from 'node:crypto';
import { PreloopError } from '../errors.js';
import type { AuditAnchorSink } from './anchor-sink.js';

/** Options of {@link createWebhookAnchorSink}. */
export interface WebhookAnchorSinkOptions {
  /** The receiver's URL (http or https). */
  url: string;
  /**
   * Standard Webhooks secret (`whsec_<base64>`, at least 24 bytes): when given,
   * each POST carries `webhook-id`, `webhook-timestamp` and `webhook-signature`.
   * @default unsigned
   */
  secret?: string;
  /** Attempts per export before it counts as failed (then it is retried later). @default 3 */
  attempts?: number;
  /** Time limit of one attempt, in ms. @default 10000 */
  timeoutMs?: number;
  /** The sink's name (see {@link AuditAnchorSink.name}). @default `webhook:` and the URL without credentials or query */
  name?: string;
}

const retryDelaysMs = [250, 1000, 4000];

/**
 * An anchor sink that POSTs each signed checkpoint as JSON to a receiver you
 * run elsewhere (for example one that stores it in a WORM bucket), signed the
 * Standard Webhooks way when a secret is given. An attempt that fails (network
 * error, timeout, non-2xx answer) is retried; after the last attempt the write
 * fails and the exporter tries again later. The `webhook-id` (checkpoint id
 * and signature) is the same on every retry: receivers deduplicate on it.
 *
 * @example
 * ```ts
 * const sink = createWebhookAnchorSink({ url: 'https://anchor.example.com/preloop', secret: process.env.ANCHOR_SECRET });
 * ```
 */
export function createWebhookAnchorSink(options: WebhookAnchorSinkOptions): AuditAnchorSink {
  let url: URL;
  try {
    url = new URL(options?.url);
  } catch {
    throw new PreloopError('CONFIGURATION_ERROR', 'auditAnchors: a webhook anchor needs an absolute http(s) url.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PreloopError('CONFIGURATION_ERROR', 'auditAnchors: a webhook anchor url must be http or https.');
  }
  const key = options.secret === undefined ? null : decodeSecret(options.secret);
  const attempts = Math.max(1, Math.trunc(options.attempts ?? 3));
  const timeoutMs = Math.max(1, Math.trunc(options.timeoutMs ?? 10_000));
  const name = options.name ?? `webhook:${url.origin}${url.pathname}`;
  return {
    name,
    async write(checkpoint) {
      const body = JSON.stringify(checkpoint);
      const id = `ckp_${createHash('sha256').update(`${checkpoint.id}\n${checkpoint.signature}`).digest('hex').slice(0, 32)}`;
      let failure = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'preloop-audit-anchor' };
        if (key) {
          headers['webhook-id'] = id;
          headers['webhook-timestamp'] = timestamp;
          headers['webhook-signature'] = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
        }
        try {
          const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
          await response.body?.cancel().catch(() => {});
          if (response.ok) return;
          failure = `HTTP ${response.status}`;
        } catch (error) {
          failure = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'the connection failed';
        }
        if (attempt < attempts)
          await new Promise((resolve) => setTimeout(resolve, retryDelaysMs[Math.min(attempt - 1, retryDelaysMs.length - 1)]));
      }
      throw new PreloopError(
        'UPSTREAM_ERROR',
        `The audit anchor ${name} did not accept checkpoint ${checkpoint.id} after ${attempts} attempt(s): ${failure}.`,
      );
    },
  };
}

function decodeSecret(secret: string): Buffer {
  const encoded = typeof secret === 'string' && secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new PreloopError('CONFIGURATION_ERROR', 'auditAnchors: a webhook anchor secret must be whsec_ followed by base64.');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24) throw new PreloopError('CONFIGURATION_ERROR', 'auditAnchors: a webhook anchor secret must hold at least 24 bytes.');
  return key;
}
