import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifierConformanceFailure, NotifierTestChannel, ReceivedNotifierMessage } from '@preloop/core/testing';

/** A Slack user the fake workspace knows. */
export interface FakeSlackUser {
  id: string;
  email: string;
  name: string;
  /** `is_email_confirmed`. @default true */
  confirmed?: boolean;
  /** @default the workspace */
  teamId?: string;
}

/** One Web API call the fake received. */
export interface FakeSlackCall {
  method: string;
  token: string | null;
  args: Record<string, unknown>;
}

/** A stored message. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  metadata: { event_type?: string; event_payload?: Record<string, unknown> } | null;
  edits: number;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Decodes a Web API body the way Slack does: form fields whose nested values are JSON, or a JSON body. */
function decodeArgs(type: string, body: string): Record<string, unknown> {
  if (type.startsWith('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

/**
 * A local server speaking Slack's Web API wire protocol (`POST /api/<method>`,
 * form-encoded arguments, bearer token, `{ ok, … }` answers, HTTP 429 with
 * `Retry-After`) for the methods the plugin calls: `auth.test`,
 * `chat.postMessage`, `chat.update`, `chat.postEphemeral`, `users.info`,
 * `users.lookupByEmail`. Point the real `@slack/web-api` client at `apiUrl`.
 */
export async function startFakeSlack(options: { token: string; teamId?: string; channels?: string[]; users?: FakeSlackUser[] }) {
  const teamId = options.teamId ?? 'T0PRELOOP';
  const channels = new Set(options.channels ?? ['C0APPROVALS']);
  const users = [...(options.users ?? [])];
  const calls: FakeSlackCall[] = [];
  const messages: FakeSlackMessage[] = [];
  const received: ReceivedNotifierMessage[] = [];
  const failures: NotifierConformanceFailure[] = [];
  const hanging = new Set<ServerResponse>();
  let clock = 1_700_000_000_000;

  const dmOf = (userId: string) => `D${userId}`;
  const userView = (user: FakeSlackUser) => ({
    id: user.id,
    team_id: user.teamId ?? teamId,
    name: user.name,
    deleted: false,
    is_bot: false,
    is_email_confirmed: user.confirmed ?? true,
    profile: { email: user.email, real_name: user.name, display_name: user.name },
  });
  const content = (message: { text: string; blocks: unknown }) => `${message.text}\n${JSON.stringify(message.blocks ?? [])}`;

  function answer(response: ServerResponse, body: Record<string, unknown>, status = 200, headers: Record<string, string> = {}) {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  }

  function handle(method: string, token: string | null, args: Record<string, unknown>): Record<string, unknown> {
    if (token !== options.token) return { ok: false, error: 'invalid_auth' };
    switch (method) {
      case 'auth.test':
        return { ok: true, team_id: teamId, team: 'Preloop test', user_id: 'UBOT', bot_id: 'BBOT', url: 'https://preloop-test.slack.com/' };
      case 'users.lookupByEmail': {
        const user = users.find((candidate) => candidate.email.toLowerCase() === String(args.email).toLowerCase());
        return user ? { ok: true, user: userView(user) } : { ok: false, error: 'users_not_found' };
      }
      case 'users.info': {
        const user = users.find((candidate) => candidate.id === args.user);
        return user ? { ok: true, user: userView(user) } : { ok: false, error: 'user_not_found' };
      }
      case 'chat.postMessage': {
        const target = String(args.channel ?? '');
        const user = users.find((candidate) => candidate.id === target);
        const channel = user ? dmOf(user.id) : target;
        if (!user && !channels.has(channel)) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        clock += 1;
        const message: FakeSlackMessage = {
          channel,
          ts: `${Math.floor(clock / 1000)}.${String(clock % 1000).padStart(6, '0')}`,
          text: String(args.text ?? ''),
          blocks: (args.blocks as FakeSlackMessage['blocks']) ?? [],
          metadata: (args.metadata as FakeSlackMessage['metadata']) ?? null,
          edits: 0,
        };
        messages.push(message);
        received.push({
          kind: 'create',
          idempotencyKey: String(message.metadata?.event_payload?.notification_id ?? '') || null,
          messageRef: `${channel}:${message.ts}`,
          content: content(message),
        });
        return { ok: true, channel, ts: message.ts, message: { text: message.text, blocks: message.blocks } };
      }
      case 'chat.update': {
        const message = messages.find((candidate) => candidate.channel === args.channel && candidate.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? message.text);
        message.blocks = (args.blocks as FakeSlackMessage['blocks']) ?? message.blocks;
        message.metadata = (args.metadata as FakeSlackMessage['metadata']) ?? message.metadata;
        message.edits += 1;
        received.push({
          kind: 'update',
          idempotencyKey: String(message.metadata?.event_payload?.notification_id ?? '') || null,
          messageRef: `${message.channel}:${message.ts}`,
          content: content(message),
        });
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${Math.floor(clock / 1000)}.000001` };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const auth = request.headers.authorization;
    const args = decodeArgs(String(request.headers['content-type'] ?? ''), body);
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : null;
    calls.push({ method, token, args });
    const failure = failures.shift();
    if (failure === 'hang') {
      hanging.add(response);
      return;
    }
    if (failure === 'retryable') return answer(response, { ok: false, error: 'service_unavailable' }, 503);
    if (failure === 'rate-limited') return answer(response, { ok: false, error: 'ratelimited' }, 429, { 'retry-after': '2' });
    if (failure === 'permanent') return answer(response, { ok: false, error: 'channel_not_found' });
    answer(response, handle(method, token, args));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const fake = {
    teamId,
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    messages,
    users,
    /** The calls of one method. */
    callsOf: (method: string) => calls.filter((call) => call.method === method),
    received: () => received,
    failNext: (failure: NotifierConformanceFailure) => void failures.push(failure),
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  } satisfies NotifierTestChannel & Record<string, unknown>;
  return fake;
}

/** What {@link signedInteraction} builds: the body and headers of Slack's interactivity request. */
export interface SignedInteraction {
  body: string;
  headers: Record<string, string>;
}

/**
 * Builds an interactivity request the way Slack sends it: the payload JSON
 * form-encoded as `payload=…`, `X-Slack-Request-Timestamp` in epoch seconds and
 * `X-Slack-Signature` = `v0=` hex HMAC-SHA256 of `v0:<timestamp>:<body>`, computed here
 * from Slack's description (not with the plugin's own signing code).
 */
export function signedInteraction(
  signingSecret: string,
  payload: Record<string, unknown>,
  timestamp = Math.floor(Date.now() / 1000),
): SignedInteraction {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
    },
  };
}

let clicks = 0;

/** A `block_actions` payload for a click on `button` of `message`, by Slack user `userId` (each click has its own trigger id, as in Slack). */
export function blockActionsPayload(input: {
  teamId: string;
  userId: string;
  message: FakeSlackMessage;
  actionId: string;
}): Record<string, unknown> {
  const button = input.message.blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements as Array<Record<string, unknown>>)
    .find((element) => element.action_id === input.actionId);
  if (!button) throw new Error(`no button ${input.actionId} on the message`);
  clicks += 1;
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.userId.toLowerCase(), name: input.userId.toLowerCase(), team_id: input.teamId },
    api_app_id: 'A0PRELOOP',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: input.message.ts, channel_id: input.message.channel, is_ephemeral: false },
    trigger_id: `1234.${clicks}.abcdef`,
    team: { id: input.teamId, domain: 'preloop-test' },
    channel: { id: input.message.channel, name: 'approvals' },
    message: { type: 'message', ts: input.message.ts, text: input.message.text, blocks: input.message.blocks },
    response_url: 'https://hooks.slack.com/actions/T0PRELOOP/1/abc',
    actions: [
      {
        action_id: input.actionId,
        block_id: 'preloop.decision',
        text: button.text,
        value: button.value,
        type: 'button',
        action_ts: `1700000000.${String(clicks).padStart(6, '0')}`,
      },
    ],
  };
}
