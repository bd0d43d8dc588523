import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: a request whose timestamp is further from now than this is refused (5 minutes). */
export const slackSignatureToleranceSeconds = 300;

/** What {@link signSlackRequest} takes. */
export interface SlackSigningInput {
  /** The app's signing secret (Basic Information → App Credentials). */
  signingSecret: string;
  /** `X-Slack-Request-Timestamp`: epoch seconds. */
  timestamp: number | string;
  /** The raw request body, byte for byte. */
  body: string;
}

/**
 * Signs a request the way Slack does: `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` keyed with the signing secret. Tests and relays
 * use it; the plugin only verifies.
 *
 * @example
 * ```ts
 * const signature = signSlackRequest({ signingSecret, timestamp: Math.floor(Date.now() / 1000), body });
 * // 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'
 * ```
 */
export function signSlackRequest(input: SlackSigningInput): string {
  return `v0=${createHmac('sha256', input.signingSecret).update(`v0:${input.timestamp}:${input.body}`).digest('hex')}`;
}

/** Why a request's signature was refused. */
export type SlackSignatureRefusal = 'headers_missing' | 'timestamp_invalid' | 'timestamp_stale' | 'signature_invalid';

/** What {@link verifySlackRequest} takes. */
export interface VerifySlackRequestInput {
  signingSecret: string;
  /** The `X-Slack-Request-Timestamp` header, as received. */
  timestamp: string | null;
  /** The `X-Slack-Signature` header, as received. */
  signature: string | null;
  /** The raw body, before any parsing. */
  body: string;
  /** Now, epoch ms. @default Date.now() */
  now?: number;
  /** The replay window in seconds. @default 300 */
  toleranceSeconds?: number;
}

/**
 * Checks a request from Slack before anything reads its body: the timestamp
 * must be within the replay window (5 minutes either way) and the signature
 * must equal the expected one, compared in constant time. Returns null when
 * the request is Slack's, else why not.
 *
 * @example
 * ```ts
 * const refusal = verifySlackRequest({ signingSecret, timestamp: request.headers.get('x-slack-request-timestamp'), signature: request.headers.get('x-slack-signature'), body });
 * if (refusal) return new Response(null, { status: 401 });
 * ```
 */
export function verifySlackRequest(input: VerifySlackRequestInput): SlackSignatureRefusal | null {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return 'headers_missing';
  if (!/^\d{1,12}$/.test(timestamp)) return 'timestamp_invalid';
  const now = input.now ?? Date.now();
  const tolerance = input.toleranceSeconds ?? slackSignatureToleranceSeconds;
  if (Math.abs(now / 1000 - Number(timestamp)) > tolerance) return 'timestamp_stale';
  const expected = Buffer.from(signSlackRequest({ signingSecret: input.signingSecret, timestamp, body: input.body }), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature_invalid';
  return null;
}
