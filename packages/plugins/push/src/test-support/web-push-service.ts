import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifierConformanceFailure, NotifierTestChannel, ReceivedNotifierMessage } from '@preloop/core/testing';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { createSubscriptionKeys, decryptWebPush, type TestSubscriptionKeys } from './web-push-decrypt.js';

/** One push as the local push service accepted it: headers and the decrypted payload. */
export interface ReceivedPush {
  subscriptionId: string;
  headers: IncomingHttpHeaders;
  /** The decrypted payload (JSON text). */
  payload: string;
}

/** A failure the push service answers with once (besides the conformance ones): `gone` is 410. */
export type PushServiceFailure = NotifierConformanceFailure | 'gone' | 'not-found';

/** The local Web Push service. */
export interface TestPushService extends NotifierTestChannel {
  origin: string;
  /** Creates a subscription on this service (what `PushManager.subscribe` returns). */
  subscribe(): { endpoint: string; keys: { p256dh: string; auth: string } };
  /** Every accepted push, decrypted. */
  pushes: ReceivedPush[];
  /** Refusals, with why (a bad VAPID JWT, an undecryptable body). */
  refusals: string[];
  failNext(failure: PushServiceFailure): void;
}

/**
 * Starts a push service on loopback that speaks the Web Push protocol (RFC
 * 8030): it checks the VAPID `Authorization: vapid t=<jwt>, k=<key>` (ES256,
 * `aud` = its origin, `exp` within 24 h, `sub` a contact), `TTL`,
 * `Content-Encoding: aes128gcm`, and decrypts the body with the
 * subscription's private keys (RFC 8291). 201 on success.
 */
export async function startPushService(vapidPublicKey: () => string | null = () => null): Promise<TestPushService> {
  const subscriptions = new Map<string, TestSubscriptionKeys>();
  const pushes: ReceivedPush[] = [];
  const refusals: string[] = [];
  const failures: PushServiceFailure[] = [];
  let origin = '';

  async function accept(id: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; payload?: string }> {
    const subscription = subscriptions.get(id);
    if (!subscription) return { status: 404 };
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(headers.authorization ?? ''));
    if (!match) throw new Error('no VAPID authorization');
    const [, jwt, key] = match as unknown as [string, string, string];
    const expected = vapidPublicKey();
    if (expected !== null && key !== expected) throw new Error('VAPID key is not the server’s');
    const raw = Buffer.from(key, 'base64url');
    const publicKey = await importJWK(
      { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') },
      'ES256',
    );
    if (decodeProtectedHeader(jwt).alg !== 'ES256') throw new Error('VAPID JWT must be ES256');
    const { payload } = await jwtVerify(jwt, publicKey, { audience: origin });
    if (typeof payload.exp !== 'number' || payload.exp - Date.now() / 1000 > 24 * 3600) throw new Error('VAPID exp must be within 24 h');
    if (typeof payload.sub !== 'string' || !/^(mailto:|https:)/.test(payload.sub)) throw new Error('VAPID sub must be a contact');
    if (headers['content-encoding'] !== 'aes128gcm') throw new Error('Content-Encoding must be aes128gcm');
    if (!/^\d+$/.test(String(headers.ttl ?? ''))) throw new Error('TTL is required');
    return { status: 201, payload: decryptWebPush(body, subscription) };
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const failure = failures.shift();
      if (failure === 'hang') return;
      if (failure === 'retryable') return void response.writeHead(503).end();
      if (failure === 'permanent') return void response.writeHead(400).end('bad request');
      if (failure === 'rate-limited') return void response.writeHead(429, { 'retry-after': '2' }).end();
      if (failure === 'gone') return void response.writeHead(410).end();
      if (failure === 'not-found') return void response.writeHead(404).end();
      const id = (request.url ?? '').replace(/^\/push\//, '');
      accept(id, request.headers, Buffer.concat(chunks)).then(
        ({ status, payload }) => {
          if (payload !== undefined) pushes.push({ subscriptionId: id, headers: request.headers, payload });
          response.writeHead(status, status === 201 ? { location: `${origin}/message/${pushes.length}` } : {}).end();
        },
        (error: Error) => {
          refusals.push(error.message);
          response.writeHead(403).end(error.message);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pushes,
    refusals,
    subscribe() {
      const keys = createSubscriptionKeys();
      const id = `sub${subscriptions.size + 1}_${keys.keys.auth.slice(0, 8)}`;
      subscriptions.set(id, keys);
      return { endpoint: `${origin}/push/${id}`, keys: keys.keys };
    },
    received: (): ReceivedNotifierMessage[] =>
      pushes.map((push) => ({
        kind: 'create',
        idempotencyKey: (JSON.parse(push.payload) as { notificationId?: string }).notificationId ?? null,
        messageRef: null,
        content: push.payload,
      })),
    failNext: (failure) => void failures.push(failure),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
