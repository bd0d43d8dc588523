import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { NotifierConformanceFailure, NotifierTestChannel, ReceivedNotifierMessage } from '@preloop/core/testing';
import { decodeProtectedHeader, jwtVerify } from 'jose';

/** One notification as the local APNs accepted it. */
export interface ReceivedApnsPush {
  deviceToken: string;
  headers: http2.IncomingHttpHeaders;
  payload: Record<string, unknown>;
  /** The provider token (JWT) it came with. */
  jwt: string;
}

/** An answer the local APNs gives once, as Apple does. */
export type ApnsFailure = NotifierConformanceFailure | 'expired-provider-token';

/** The local APNs. */
export interface TestApns extends NotifierTestChannel {
  /** `http://127.0.0.1:<port>`: clear-text HTTP/2 (h2c). */
  origin: string;
  /** The `.p8` key (PKCS#8 PEM) the provider signs with, its Key ID and Team ID. */
  key: { privateKey: string; keyId: string; teamId: string };
  bundleId: string;
  pushes: ReceivedApnsPush[];
  /** Requests refused for a bad token, header or payload, with Apple's reason. */
  refusals: string[];
  /** Distinct provider tokens seen. */
  providerTokens: Set<string>;
  /** Device tokens answered 400 `BadDeviceToken`. */
  badTokens: Set<string>;
  /** Device tokens answered 410 `Unregistered`. */
  unregistered: Set<string>;
  failNext(failure: ApnsFailure): void;
}

/**
 * Starts an APNs provider API on loopback over clear-text HTTP/2 (the test
 * points the notifier's `hosts` at `http://…`; production speaks TLS to
 * Apple). It checks as Apple does: `POST /3/device/<token>`; the provider
 * token (ES256, `kid` = Key ID, `iss` = Team ID, `iat` within the hour) verified
 * with the `.p8` key's public half; `apns-push-type: alert`, `apns-topic` =
 * the bundle id, `apns-priority` 5 or 10, numeric `apns-expiration`,
 * `apns-collapse-id` ≤ 64 bytes; a JSON payload ≤ 4 KB with `aps.alert`.
 * Answers 200 with `apns-id`, or `{ reason }` with 400, 403, 410, 429, 503.
 */
export async function startApns(options: { bundleId?: string } = {}): Promise<TestApns> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }) as { privateKey: KeyObject; publicKey: KeyObject };
  const key = { privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' };
  const bundleId = options.bundleId ?? 'com.example.preloop';
  const pushes: ReceivedApnsPush[] = [];
  const refusals: string[] = [];
  const failures: ApnsFailure[] = [];
  const providerTokens = new Set<string>();
  const badTokens = new Set<string>();
  const unregistered = new Set<string>();

  async function check(
    path: string,
    headers: http2.IncomingHttpHeaders,
    body: string,
  ): Promise<{ status: number; reason?: string; push?: ReceivedApnsPush }> {
    const token = /^\/3\/device\/([0-9a-fA-F]+)$/.exec(path)?.[1];
    if (headers[':method'] !== 'POST' || !token) return { status: 405, reason: 'MethodNotAllowed' };
    const jwt = /^bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    if (!jwt) return { status: 403, reason: 'MissingProviderToken' };
    const header = decodeProtectedHeader(jwt);
    if (header.alg !== 'ES256' || header.kid !== key.keyId) return { status: 403, reason: 'InvalidProviderToken' };
    try {
      const { payload } = await jwtVerify(jwt, publicKey, { issuer: key.teamId, algorithms: ['ES256'] });
      if (typeof payload.iat !== 'number' || Date.now() / 1000 - payload.iat > 3600) return { status: 403, reason: 'ExpiredProviderToken' };
    } catch {
      return { status: 403, reason: 'InvalidProviderToken' };
    }
    providerTokens.add(jwt);
    if (headers['apns-push-type'] !== 'alert') return { status: 400, reason: 'InvalidPushType' };
    if (headers['apns-topic'] !== bundleId) return { status: 400, reason: 'DeviceTokenNotForTopic' };
    if (!['5', '10'].includes(String(headers['apns-priority']))) return { status: 400, reason: 'BadPriority' };
    if (!/^\d+$/.test(String(headers['apns-expiration'] ?? ''))) return { status: 400, reason: 'BadExpirationDate' };
    if (Buffer.byteLength(String(headers['apns-collapse-id'] ?? '')) > 64) return { status: 400, reason: 'BadCollapseId' };
    if (Buffer.byteLength(body) > 4096) return { status: 413, reason: 'PayloadTooLarge' };
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { status: 400, reason: 'PayloadEmpty' };
    }
    if (typeof (payload.aps as { alert?: unknown } | undefined)?.alert !== 'object') return { status: 400, reason: 'PayloadEmpty' };
    if (badTokens.has(token)) return { status: 400, reason: 'BadDeviceToken' };
    if (unregistered.has(token)) return { status: 410, reason: 'Unregistered' };
    return { status: 200, push: { deviceToken: token, headers, payload, jwt } };
  }

  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const failure = failures.shift();
      const answer = (status: number, reason?: string, extra: Record<string, string> = {}) => {
        if (stream.destroyed) return;
        stream.respond({ ':status': status, 'apns-id': String(headers['apns-id'] ?? ''), ...extra });
        stream.end(reason ? JSON.stringify(status === 410 ? { reason, timestamp: Date.now() } : { reason }) : undefined);
      };
      if (failure === 'hang') return;
      if (failure === 'retryable') return answer(503, 'ServiceUnavailable');
      if (failure === 'permanent') return answer(400, 'BadTopic');
      // Apple answers 429 without Retry-After: the outbox's backoff decides when to try again.
      if (failure === 'rate-limited') return answer(429, 'TooManyRequests');
      if (failure === 'expired-provider-token') return answer(403, 'ExpiredProviderToken');
      check(String(headers[':path']), headers, Buffer.concat(chunks).toString('utf8')).then(
        (result) => {
          if (result.push) pushes.push(result.push);
          else refusals.push(result.reason ?? String(result.status));
          answer(result.status, result.reason);
        },
        () => answer(500, 'InternalServerError'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  return {
    origin,
    key,
    bundleId,
    pushes,
    refusals,
    providerTokens,
    badTokens,
    unregistered,
    received: (): ReceivedNotifierMessage[] =>
      pushes.map((push) => ({
        kind: 'create',
        idempotencyKey: typeof push.payload.notificationId === 'string' ? push.payload.notificationId : null,
        messageRef: null,
        content: JSON.stringify(push.payload),
      })),
    failNext: (failure) => void failures.push(failure),
    close: () => {
      for (const session of sessions) session.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
