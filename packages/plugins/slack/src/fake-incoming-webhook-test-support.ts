import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifierConformanceFailure, NotifierTestChannel, ReceivedNotifierMessage } from '@preloop/core/testing';

/**
 * A local incoming-webhook receiver (Slack's or Mattermost's shape: POST of
 * JSON, 200 on success, 429 with `Retry-After`, 404 for a removed webhook),
 * recording the JSON bodies it accepts.
 */
export async function startWebhookReceiver() {
  const bodies: Array<Record<string, unknown>> = [];
  const received: ReceivedNotifierMessage[] = [];
  const failures: NotifierConformanceFailure[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const failure = failures.shift();
      if (failure === 'hang') return void hanging.add(response);
      if (failure === 'retryable') return void response.writeHead(503).end('unavailable');
      if (failure === 'rate-limited') return void response.writeHead(429, { 'retry-after': '2' }).end('rate limited');
      if (failure === 'permanent') return void response.writeHead(404).end('Unable to find the webhook.');
      if (!String(request.headers['content-type']).startsWith('application/json'))
        return void response.writeHead(400).end('invalid content type');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return void response.writeHead(400).end('invalid_payload');
      }
      if (typeof body.text !== 'string' || body.text === '') return void response.writeHead(400).end('no_text');
      bodies.push(body);
      const props = body.props as Record<string, unknown> | undefined;
      const metadata = body.metadata as { event_payload?: Record<string, unknown> } | undefined;
      const key = props?.preloop_notification_id ?? metadata?.event_payload?.notification_id ?? null;
      received.push({
        kind: 'create',
        idempotencyKey: typeof key === 'string' ? key : null,
        messageRef: null,
        content: `${body.text}\n${JSON.stringify(body.blocks ?? [])}`,
      });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/x1y2z3`;
  const receiver = {
    url,
    bodies,
    received: () => received,
    failNext: (failure: NotifierConformanceFailure) => void failures.push(failure),
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  } satisfies NotifierTestChannel & Record<string, unknown>;
  return receiver;
}
