import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  notifierConformance,
  type NotifierConformanceFailure,
  type NotifierTestChannel,
  type ReceivedNotifierMessage,
} from '@preloop/core/testing';
import { createWebhookNotifier, createWebhookSecret, verifyWebhook } from './index.js';

const secret = createWebhookSecret();
const receiverToken = 'receiver-token-0123456789abcdef';

/** A Standard Webhooks receiver on loopback: verifies each delivery, answers with the failure it was told to. */
async function startWebhookReceiver(): Promise<NotifierTestChannel & { url: string }> {
  const received: ReceivedNotifierMessage[] = [];
  const failures: NotifierConformanceFailure[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const failure = failures.shift();
      if (failure === 'hang') return;
      if (failure === 'retryable') return void response.writeHead(503).end();
      if (failure === 'permanent') return void response.writeHead(410).end();
      if (failure === 'rate-limited') return void response.writeHead(429, { 'retry-after': '2' }).end();
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifyWebhook(request.headers as Record<string, string>, body, [secret]);
      received.push({ kind: 'create', idempotencyKey: verified.id, messageRef: null, content: body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/preloop`,
    received: () => received,
    failNext: (failure) => void failures.push(failure),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

notifierConformance({
  name: 'webhook (approvers)',
  channel: startWebhookReceiver,
  notifier: (receiver) => createWebhookNotifier({ url: receiver.url, secret, headers: { authorization: `Bearer ${receiverToken}` } }),
  secrets: [secret, receiverToken],
});

notifierConformance({
  name: 'webhook (channel)',
  channel: startWebhookReceiver,
  notifier: (receiver) => createWebhookNotifier({ url: receiver.url, secret, audience: 'channel' }),
  secrets: [secret],
});
