import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifierConformanceFailure, NotifierTestChannel, ReceivedNotifierMessage } from '@preloop/core/testing';
import { decodeProtectedHeader, jwtVerify } from 'jose';

/** One FCM message as the local server accepted it. */
export interface ReceivedFcmMessage {
  headers: IncomingHttpHeaders;
  message: Record<string, unknown> & { token: string; data: Record<string, string> };
}

/** The local FCM (token endpoint and HTTP v1 send). */
export interface TestFcm extends NotifierTestChannel {
  origin: string;
  tokenUrl: string;
  projectId: string;
  /** The service-account key file's JSON text. */
  serviceAccount: string;
  messages: ReceivedFcmMessage[];
  refusals: string[];
  /** Access tokens issued (each exchange issues one). */
  issued: string[];
  /** Registration tokens answered 404 `UNREGISTERED`. */
  unregistered: Set<string>;
  /** Registration tokens answered 400 `INVALID_ARGUMENT` on `message.token`. */
  invalid: Set<string>;
  failNext(failure: NotifierConformanceFailure): void;
}

function fcmError(code: number, status: string, message: string, details: unknown[] = []) {
  return JSON.stringify({ error: { code, message, status, details } });
}

/**
 * Starts Google's two endpoints on loopback, answering as Google does. The
 * token endpoint checks the JWT bearer grant (`grant_type`
 * `urn:ietf:params:oauth:grant-type:jwt-bearer`; the assertion RS256, signed
 * by the service account's key, `iss` its email, `scope` firebase.messaging,
 * `aud` the token URL, at most an hour) and issues an access token.
 * `POST /v1/projects/<id>/messages:send` checks that token and the message
 * (a registration token, string-only `data`, the Android channel).
 */
export async function startFcm(): Promise<TestFcm> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }) as { privateKey: KeyObject; publicKey: KeyObject };
  const projectId = 'preloop-test';
  const clientEmail = `push@${projectId}.iam.gserviceaccount.com`;
  const messages: ReceivedFcmMessage[] = [];
  const refusals: string[] = [];
  const failures: NotifierConformanceFailure[] = [];
  const issued: string[] = [];
  const unregistered = new Set<string>();
  const invalid = new Set<string>();
  let origin = '';

  async function token(body: string): Promise<{ status: number; body: string }> {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return { status: 400, body: JSON.stringify({ error: 'unsupported_grant_type' }) };
    const assertion = form.get('assertion') ?? '';
    try {
      if (decodeProtectedHeader(assertion).alg !== 'RS256') throw new Error('alg');
      const { payload } = await jwtVerify(assertion, publicKey, {
        issuer: clientEmail,
        audience: `${origin}/token`,
        algorithms: ['RS256'],
      });
      if (payload.scope !== 'https://www.googleapis.com/auth/firebase.messaging') throw new Error('scope');
      if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number' || payload.exp - payload.iat > 3600)
        throw new Error('lifetime');
    } catch (error) {
      refusals.push(`token: ${(error as Error).message}`);
      return { status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }) };
    }
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    issued.push(accessToken);
    return { status: 200, body: JSON.stringify({ access_token: accessToken, expires_in: 3599, token_type: 'Bearer' }) };
  }

  function send(headers: IncomingHttpHeaders, body: string): { status: number; body: string } {
    const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    if (!bearer || !issued.includes(bearer))
      return { status: 401, body: fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.') };
    const message = (JSON.parse(body) as { message?: ReceivedFcmMessage['message'] }).message;
    const problem =
      !message || typeof message.token !== 'string'
        ? 'message.token'
        : !message.data || Object.values(message.data).some((value) => typeof value !== 'string')
          ? 'message.data'
          : (message.android as { notification?: { channel_id?: string } } | undefined)?.notification?.channel_id !== 'preloop_approvals'
            ? 'message.android.notification.channel_id'
            : null;
    if (problem) {
      refusals.push(problem);
      return {
        status: 400,
        body: fcmError(400, 'INVALID_ARGUMENT', `Invalid value at '${problem}'`, [
          { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: problem }] },
        ]),
      };
    }
    if (unregistered.has(message!.token)) {
      return {
        status: 404,
        body: fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', [
          { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
        ]),
      };
    }
    if (invalid.has(message!.token)) {
      return {
        status: 400,
        body: fcmError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', [
          { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' },
          { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token' }] },
        ]),
      };
    }
    messages.push({ headers, message: message! });
    return { status: 200, body: JSON.stringify({ name: `projects/${projectId}/messages/${messages.length}` }) };
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, text: string, extra: Record<string, string> = {}) =>
        void response.writeHead(status, { 'content-type': 'application/json', ...extra }).end(text);
      if (request.method === 'POST' && request.url === '/token') {
        void token(body).then((answer) => json(answer.status, answer.body));
        return;
      }
      if (request.method !== 'POST' || request.url !== `/v1/projects/${projectId}/messages:send`)
        return json(404, fcmError(404, 'NOT_FOUND', 'Not found'));
      const failure = failures.shift();
      if (failure === 'hang') return;
      if (failure === 'retryable') return json(503, fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.'));
      if (failure === 'permanent') return json(403, fcmError(403, 'PERMISSION_DENIED', 'Permission denied.'));
      if (failure === 'rate-limited') return json(429, fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.'), { 'retry-after': '2' });
      const answer = send(request.headers, body);
      json(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const serviceAccount = JSON.stringify({
    type: 'service_account',
    project_id: projectId,
    client_email: clientEmail,
    private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    token_uri: `${origin}/token`,
  });
  return {
    origin,
    tokenUrl: `${origin}/token`,
    projectId,
    serviceAccount,
    messages,
    refusals,
    issued,
    unregistered,
    invalid,
    received: (): ReceivedNotifierMessage[] =>
      messages.map((entry) => ({
        kind: 'create',
        idempotencyKey: entry.message.data.notificationId ?? null,
        messageRef: null,
        content: JSON.stringify(entry.message),
      })),
    failNext: (failure) => void failures.push(failure),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
