import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { approvals } from '@preloop/approvals';
import type { Principal } from '@preloop/core';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookSecret, verifyWebhook, webhook, type WebhookPayload } from './index.js';

/**
 * An independent implementation of the Standard Webhooks check, written from
 * the spec (not from our signing code): HMAC-SHA256 with the base64-decoded
 * part of `whsec_…` over `${id}.${timestamp}.${body}`, base64, in a
 * space-separated list of `v1,<signature>`.
 */
function specVerifies(headers: IncomingHttpHeaders, body: string, secret: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return String(headers['webhook-signature'])
    .split(' ')
    .some((entry) => entry === `v1,${expected}`);
}

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** A real HTTP receiver; `answer` picks the status per delivery. */
async function startReceiver(answer: (delivery: Delivery, index: number) => number = () => 204) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const delivery = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      deliveries.push(delivery);
      response.statusCode = answer(delivery, deliveries.length - 1);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/preloop`;
  return { url, deliveries, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(testDialects())('webhook notifier on $name', (dialect) => {
  let test: TestPreloop | null = null;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;
  afterEach(async () => {
    await test?.cleanup();
    await receiver?.close();
    test = null;
    receiver = null;
  });

  async function setup(options: { answer?: Parameters<typeof startReceiver>[0]; secret: string; previousSecrets?: string[] }) {
    receiver = await startReceiver(options.answer);
    test = await createTestPreloop(dialect, {
      plugins: [
        webhook({
          url: receiver.url,
          secret: options.secret,
          previousSecrets: options.previousSecrets,
          headers: { 'x-receiver-token': 'abc' },
        }),
        approvals({
          publicUrl: 'https://preloop.example.com',
          notifierBackoffMs: 2200,
          notifierMaxBackoffMs: 2200,
          workflows: { one: { approvers: { roles: ['approver'] } } },
        }),
      ],
    });
    const { preloop } = test;
    const approver = await preloop.identity.users.create(preloop.accountId, { email: 'ann@example.com', name: 'Ann', role: 'approver' });
    const requester: Principal = {
      type: 'user',
      id: 'usr_requester',
      accountId: preloop.accountId,
      name: 'requester',
      role: 'viewer',
      userId: 'usr_requester',
      apiKeyId: null,
      agentId: null,
      runtimeSessionId: null,
      teamIds: [],
      scopes: [],
    };
    const engine = preloop.service('approvals');
    return { engine, approver, requester, preloop };
  }

  it('POSTs signed JSON that an independent Standard Webhooks check verifies; a tampered body fails', async () => {
    const secret = createWebhookSecret();
    const { engine, approver, requester } = await setup({ secret });
    const ticket = await engine.request({
      principal: requester,
      tool: { name: 'deploy', definitionHash: 'd1' },
      args: { env: 'prod' },
      workflow: 'one',
      reason: 'production',
    });
    await engine.notificationsIdle();
    expect(receiver!.deliveries).toHaveLength(1);
    const [delivery] = receiver!.deliveries;
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-receiver-token']).toBe('abc');
    expect(delivery!.headers['webhook-id']).toMatch(/^ntf_/);
    expect(Math.abs(Number(delivery!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(specVerifies(delivery!.headers, delivery!.body, secret)).toBe(true);
    const verified = verifyWebhook<WebhookPayload>(delivery!.headers as Record<string, string>, delivery!.body, [secret]);
    expect(verified.id).toBe(delivery!.headers['webhook-id']);
    expect(verified.payload).toMatchObject({
      type: 'approval.requested',
      data: {
        request: { id: ticket.id, tool: { name: 'deploy' }, args: { env: 'prod' }, reason: 'production', status: 'pending' },
        recipient: { userId: approver.id, name: 'Ann' },
      },
    });
    expect(verified.payload.data.links.approve).toMatch(/^https:\/\/preloop\.example\.com\/api\/v1\/approvals\/.+\?decision=approve$/);

    const tampered = delivery!.body.replace('"prod"', '"dev"');
    expect(tampered).not.toBe(delivery!.body);
    expect(specVerifies(delivery!.headers, tampered, secret)).toBe(false);
    expect(() => verifyWebhook(delivery!.headers as Record<string, string>, tampered, [secret])).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID', status: 401 }),
    );
    expect(() => verifyWebhook(delivery!.headers as Record<string, string>, delivery!.body, [createWebhookSecret()])).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );

    // Deciding sends the resolved notice.
    await engine.decide({
      accountId: requester.accountId,
      requestId: ticket.id,
      actor: { ...requester, id: approver.id, userId: approver.id, name: 'Ann', role: 'approver' },
      decision: 'approve',
      channel: 'api',
    });
    await engine.notificationsIdle();
    const resolved = verifyWebhook<WebhookPayload>(
      receiver!.deliveries[1]!.headers as Record<string, string>,
      receiver!.deliveries[1]!.body,
      secret,
    );
    expect(resolved.payload).toMatchObject({
      type: 'approval.resolved',
      data: { request: { status: 'approved' }, links: { approve: null, deny: null } },
    });
  });

  it('delivers arguments redacted and bounded: no secret and no 1 MB string leaves the server', async () => {
    const secret = createWebhookSecret();
    const { engine, requester } = await setup({ secret });
    const leaks = ['sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c', 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'hunter2-hunter2'];
    await engine.request({
      principal: requester,
      tool: { name: 'deploy', definitionHash: null },
      args: {
        api_key: leaks[0],
        note: `push with ${leaks[1]}`,
        password: leaks[2],
        author: 'ada',
        max_tokens: 100,
        body: 'y'.repeat(1024 * 1024),
      },
      workflow: 'one',
    });
    await engine.notificationsIdle();
    const [delivery] = receiver!.deliveries;
    expect(delivery!.body.length).toBeLessThan(16_384);
    for (const leak of leaks) expect(delivery!.body).not.toContain(leak);
    const payload = verifyWebhook<WebhookPayload>(delivery!.headers as Record<string, string>, delivery!.body, secret).payload;
    expect(payload.data.request.args).toMatchObject({
      api_key: '[redacted]',
      password: '[redacted]',
      note: 'push with [redacted:api-key]',
      author: 'ada',
      max_tokens: 100,
    });
    expect(payload.data.request.argsRedactions.map((entry) => entry.path.join('.'))).toEqual(['api_key', 'body', 'note', 'password']);
  });

  it('retries a failed delivery with the same webhook-id, a fresh timestamp and a valid signature', async () => {
    const secret = createWebhookSecret();
    const { engine, requester } = await setup({ secret, answer: (_delivery, index) => (index === 0 ? 500 : 200) });
    await engine.request({ principal: requester, tool: { name: 'deploy', definitionHash: null }, args: {}, workflow: 'one' });
    await engine.notificationsIdle();
    const [first, second] = receiver!.deliveries;
    expect(receiver!.deliveries).toHaveLength(2);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(Number(second!.headers['webhook-timestamp'])).toBeGreaterThan(Number(first!.headers['webhook-timestamp']));
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['webhook-signature']).not.toBe(first!.headers['webhook-signature']);
    for (const delivery of [first!, second!]) expect(specVerifies(delivery.headers, delivery.body, secret)).toBe(true);
  });

  it('signs with every secret in rotation; after the rotation only the new secret verifies', async () => {
    const oldSecret = createWebhookSecret();
    const newSecret = createWebhookSecret();
    const { engine, requester } = await setup({ secret: newSecret, previousSecrets: [oldSecret] });
    await engine.request({ principal: requester, tool: { name: 'deploy', definitionHash: null }, args: {}, workflow: 'one' });
    await engine.notificationsIdle();
    const [during] = receiver!.deliveries;
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(specVerifies(during!.headers, during!.body, oldSecret)).toBe(true);
    expect(specVerifies(during!.headers, during!.body, newSecret)).toBe(true);
    expect(verifyWebhook(during!.headers as Record<string, string>, during!.body, [oldSecret]).id).toBe(during!.headers['webhook-id']);
    await test!.cleanup();
    await receiver!.close();
    test = null;

    const after = await setup({ secret: newSecret });
    await after.engine.request({ principal: after.requester, tool: { name: 'deploy', definitionHash: null }, args: {}, workflow: 'one' });
    await after.engine.notificationsIdle();
    const [rotated] = receiver!.deliveries;
    expect(specVerifies(rotated!.headers, rotated!.body, newSecret)).toBe(true);
    expect(specVerifies(rotated!.headers, rotated!.body, oldSecret)).toBe(false);
    expect(() => verifyWebhook(rotated!.headers as Record<string, string>, rotated!.body, [oldSecret])).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
  });
});
