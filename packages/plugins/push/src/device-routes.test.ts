import type { ApprovalEngine } from '@preloop/approvals';
import type { Principal, Role } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDeviceJwt, type DeviceJwtOptions } from './test-support/device-jwt.js';
import { deviceKeyPair, startPushKernel, type PushKernel } from './test-support/push-kernel.js';
import { startPushService, type TestPushService } from './test-support/web-push-service.js';

const sqlite = testDialects().find((dialect) => dialect.name === 'sqlite')!;
const base = 'http://localhost/api/v1';
const secretArgument = 'sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';
let offsetMs = 0;

interface Person {
  id: string;
  cookie: string;
  key: string;
}

interface Phone {
  id: string;
  privateKey: ReturnType<typeof deviceKeyPair>['privateKey'];
}

let kernel: PushKernel;
let service: TestPushService;
let engine: ApprovalEngine;
let owner: Person;
let ann: Person;
let bo: Person;
let dave: Person;
let agent: Principal;

async function api(
  method: string,
  path: string,
  options: { cookie?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(options.headers);
  if (options.cookie) headers.set('cookie', options.cookie);
  if (options.key) headers.set('authorization', `Bearer ${options.key}`);
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  const response = await kernel.preloop.api(
    new Request(`${base}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }),
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A request signed with the phone's device credential. */
async function asDevice(phone: Phone, method: string, path: string, body?: unknown, jwt: DeviceJwtOptions & { kid?: string } = {}) {
  const token = await signDeviceJwt(phone.privateKey, jwt.kid ?? phone.id, method, `${base}${path}`, jwt);
  return api(method, path, { body, headers: { authorization: `PreloopDevice ${token}` } });
}

async function person(name: string, role: Role): Promise<Person> {
  const { preloop } = kernel;
  const user = await preloop.identity.users.create(preloop.accountId, { email: `${name}@example.com`, name, role });
  const { cookie } = await preloop.identity.consoleSessions.create(user);
  const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
    name,
    scopes: ['admin:read', 'admin:write'],
    userId: user.id,
  });
  return { id: user.id, cookie: cookie.split(';')[0]!, key };
}

/** Pairs a phone for `who` through the QR flow: a pairing token from the console, then the phone registers with it. */
async function pair(who: Person, name = 'phone'): Promise<Phone> {
  const pairing = await api('POST', '/devices/pairings', { cookie: who.cookie, headers: { origin: 'http://localhost' } });
  expect(pairing.status).toBe(201);
  const keys = deviceKeyPair();
  const registered = await api('POST', '/devices', {
    body: {
      pairingToken: pairing.body.token,
      name,
      platform: 'web',
      publicKeyJwk: keys.publicKeyJwk,
      push: { kind: 'web-push', subscription: service.subscribe() },
    },
  });
  expect(registered.status).toBe(201);
  return { id: registered.body.device.id, privateKey: keys.privateKey };
}

function ask(workflow: string, args: Record<string, unknown> = { repo: 'acme/api', number: Math.random() }) {
  return engine.request({
    principal: agent,
    tool: { name: 'github.merge_pull_request', definitionHash: 'def-1' },
    args,
    workflow,
    reason: 'merging needs approval',
  });
}

beforeAll(async () => {
  service = await startPushService();
  kernel = await startPushKernel(
    {
      webPush: { subject: 'mailto:ops@example.com', endpointHosts: ['127.0.0.1'] },
      maxDevicesPerUser: 3,
      clock: () => Date.now() + offsetMs,
    },
    sqlite,
    {
      pollIntervalMs: 50,
      workflows: {
        two: { approvers: { roles: ['approver'] }, quorum: 2 },
      },
    },
  );
  engine = kernel.preloop.service('approvals') as ApprovalEngine;
  owner = await person('owner', 'owner');
  ann = await person('ann', 'approver');
  bo = await person('bo', 'approver');
  dave = await person('dave', 'approver');
  const { preloop } = kernel;
  const enrolled = await preloop.identity.agents.enroll(preloop.accountId, { name: 'builder', kind: 'custom', ownerUserId: dave.id });
  const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
    name: 'builder',
    scopes: ['mcp'],
    agentId: enrolled.id,
    userId: dave.id,
  });
  agent = (await preloop.authenticate(new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${key}` } })))!;
});

afterAll(async () => {
  await kernel?.cleanup();
  await service?.close();
});

describe('pairing and device routes', () => {
  it('a pairing token registers one device, once; a second use changes nothing', async () => {
    const pairing = await api('POST', '/devices/pairings', { cookie: ann.cookie, headers: { origin: 'http://localhost' } });
    expect(pairing.status).toBe(201);
    expect(pairing.body.url).toBe(`http://localhost/approve/#pair=${pairing.body.token}`);
    expect(pairing.body.expiresAt - Date.now()).toBeGreaterThan(590_000);
    const body = {
      pairingToken: pairing.body.token,
      name: 'Ann’s phone',
      platform: 'web',
      publicKeyJwk: deviceKeyPair().publicKeyJwk,
      push: { kind: 'web-push', subscription: service.subscribe() },
    };
    const first = await api('POST', '/devices', { body });
    expect(first.status).toBe(201);
    expect(first.body.device).toMatchObject({
      userId: ann.id,
      name: 'Ann’s phone',
      platform: 'web',
      pushKind: 'web-push',
      revokedAt: null,
    });
    expect(JSON.stringify(first.body)).not.toContain(body.push.subscription.keys.auth);
    const again = await api('POST', '/devices', { body: { ...body, name: 'attacker' } });
    expect(again).toMatchObject({ status: 401, body: { error: { code: 'PAIRING_TOKEN_INVALID' } } });
    const listed = await api('GET', '/devices', { cookie: ann.cookie });
    expect(listed.body.items.map((device: { name: string }) => device.name)).toEqual(['Ann’s phone']);
    const audit = await kernel.preloop.audit.query({ accountId: kernel.preloop.accountId, action: 'push.device-register' });
    expect(audit.items[0]).toMatchObject({ actorId: ann.id, targetId: first.body.device.id });
  });

  it('an expired pairing token is refused (10 minutes)', async () => {
    const pairing = await api('POST', '/devices/pairings', { cookie: bo.cookie, headers: { origin: 'http://localhost' } });
    offsetMs = 601_000;
    try {
      const late = await api('POST', '/devices', {
        body: {
          pairingToken: pairing.body.token,
          name: 'late',
          platform: 'web',
          publicKeyJwk: deviceKeyPair().publicKeyJwk,
          push: { kind: 'web-push', subscription: service.subscribe() },
        },
      });
      expect(late).toMatchObject({ status: 401, body: { error: { code: 'PAIRING_TOKEN_INVALID' } } });
    } finally {
      offsetMs = 0;
    }
  });

  it('refuses a private key, a push kind this server does not send, an endpoint that is not a push service, a cross-site session and the 4th device', async () => {
    const keys = deviceKeyPair();
    const good = {
      name: 'bo',
      platform: 'web',
      publicKeyJwk: keys.publicKeyJwk,
      push: { kind: 'web-push', subscription: service.subscribe() },
    };
    const asBo = { cookie: bo.cookie, headers: { origin: 'http://localhost' } };
    const privateJwk = await api('POST', '/devices', {
      ...asBo,
      body: { ...good, publicKeyJwk: { ...keys.publicKeyJwk, d: 'A'.repeat(43) } },
    });
    expect(privateJwk.status).toBe(400);
    const fcm = await api('POST', '/devices', {
      ...asBo,
      body: { ...good, platform: 'android', push: { kind: 'fcm', token: 'x'.repeat(40) } },
    });
    expect(fcm).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('push.kind') } },
    });
    const internal = { ...good.push.subscription, endpoint: 'https://10.0.0.5/admin' };
    const ssrf = await api('POST', '/devices', { ...asBo, body: { ...good, push: { kind: 'web-push', subscription: internal } } });
    expect(ssrf).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('endpoint') } } });
    const crossSite = await api('POST', '/devices', { cookie: bo.cookie, headers: { origin: 'https://evil.example' }, body: good });
    expect(crossSite.status).toBe(403);
    expect((await api('GET', '/devices', { cookie: bo.cookie })).body.items).toEqual([]);
    for (let index = 0; index < 3; index += 1) expect((await api('POST', '/devices', { ...asBo, body: good })).status).toBe(201);
    const fourth = await api('POST', '/devices', { ...asBo, body: good });
    expect(fourth).toMatchObject({ status: 409, body: { error: { code: 'DEVICE_LIMIT_REACHED' } } });
    for (const device of (await api('GET', '/devices', { cookie: bo.cookie })).body.items) {
      expect((await api('DELETE', `/devices/${device.id}`, { ...asBo })).status).toBe(204);
    }
  });

  it('lists own devices; other users’ only for admins', async () => {
    expect((await api('GET', '/devices?all=true', { cookie: ann.cookie })).status).toBe(403);
    expect((await api('GET', `/devices?userId=${bo.id}`, { cookie: ann.cookie })).status).toBe(403);
    const all = await api('GET', '/devices?all=true', { key: owner.key });
    expect(all.status).toBe(200);
    expect(new Set(all.body.items.map((device: { userId: string }) => device.userId))).toEqual(new Set([ann.id, bo.id]));
    const { preloop } = kernel;
    const { key: readOnly } = await preloop.identity.apiKeys.create(preloop.accountId, {
      name: 'read-only',
      scopes: ['admin:read'],
      userId: owner.id,
    });
    const annDevice = all.body.items.find(
      (device: { userId: string; revokedAt: number | null }) => device.userId === ann.id && device.revokedAt === null,
    );
    expect((await api('DELETE', `/devices/${annDevice.id}`, { key: readOnly })).status).toBe(403);
    expect((await api('DELETE', `/devices/${annDevice.id}`, { cookie: bo.cookie, headers: { origin: 'http://localhost' } })).status).toBe(
      404,
    );
    expect((await kernel.store.find(annDevice.id))!.revokedAt).toBeNull();
  });

  it('serves the generated VAPID public key, stored in the secret store', async () => {
    const config = await api('GET', '/push/config');
    const stored = JSON.parse(await kernel.preloop.secrets.get(kernel.preloop.accountId, 'push.vapid')) as {
      publicKey: string;
      privateKey: string;
    };
    expect(config.body).toEqual({ webPush: { vapidPublicKey: stored.publicKey }, apns: false, fcm: false });
    expect(JSON.stringify(config.body)).not.toContain(stored.privateKey);
  });
});

describe('the device credential', () => {
  let annPhone: Phone;
  let boPhone: Phone;
  let davePhone: Phone;
  beforeAll(async () => {
    annPhone = await pair(ann, 'ann-phone');
    boPhone = await pair(bo, 'bo-phone');
    davePhone = await pair(dave, 'dave-phone');
  });

  it('decides through the existing decide route: quorum 2 needs two people, one vote each, and the audit names the devices', async () => {
    const ticket = await ask('two');
    const read = await asDevice(annPhone, 'GET', `/approvals/${ticket.id}`);
    expect(read).toMatchObject({ status: 200, body: { id: ticket.id, status: 'pending' } });
    const first = await asDevice(annPhone, 'POST', `/approvals/${ticket.id}/decide`, { decision: 'approve' });
    expect(first).toMatchObject({ status: 200, body: { counted: true, resolved: false } });
    const twice = await asDevice(annPhone, 'POST', `/approvals/${ticket.id}/decide`, { decision: 'approve' });
    expect(twice.body).toMatchObject({ counted: false, resolved: false });
    const second = await asDevice(boPhone, 'POST', `/approvals/${ticket.id}/decide`, { decision: 'approve' });
    expect(second).toMatchObject({
      status: 200,
      body: { resolved: true, request: { status: 'approved', votes: { approve: 2, deny: 0 } } },
    });
    const detail = await engine.detail(kernel.preloop.accountId, ticket.id);
    expect(detail.voteList.map((vote) => [vote.approverId, vote.channel])).toEqual([
      [ann.id, `device:${annPhone.id}`],
      [bo.id, `device:${boPhone.id}`],
    ]);
    const decided = await kernel.preloop.audit.query({ accountId: kernel.preloop.accountId, action: 'approval.decide' });
    expect(decided.items.find((record) => record.targetId === ticket.id)).toMatchObject({
      actorId: bo.id,
      outcome: 'approved',
      data: expect.objectContaining({ channel: `device:${boPhone.id}` }),
    });
  });

  it('keeps separation of duties: the agent’s owner cannot approve its call from his phone', async () => {
    const ticket = await ask('two');
    const own = await asDevice(davePhone, 'POST', `/approvals/${ticket.id}/decide`, { decision: 'approve' });
    expect(own).toMatchObject({ status: 403, body: { error: { code: 'SELF_APPROVAL_FORBIDDEN' } } });
  });

  it('refuses an old iat, a replayed jti, a wrong htu or htm, another device’s kid, and any route but the approval and device ones', async () => {
    const ticket = await ask('two');
    const path = `/approvals/${ticket.id}`;
    const old = await asDevice(annPhone, 'GET', path, undefined, { iat: Math.floor(Date.now() / 1000) - 120 });
    expect(old).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining('iat') } } });
    const jwt = await signDeviceJwt(annPhone.privateKey, annPhone.id, 'GET', `${base}${path}`);
    const once = await api('GET', path, { headers: { authorization: `PreloopDevice ${jwt}` } });
    expect(once.status).toBe(200);
    const replay = await api('GET', path, { headers: { authorization: `PreloopDevice ${jwt}` } });
    expect(replay).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining('replay') } } });
    const otherUrl = await asDevice(annPhone, 'GET', path, undefined, { htu: `${base}/approvals` });
    expect(otherUrl.body.error.message).toContain('htu');
    const otherMethod = await api('GET', path, {
      headers: { authorization: `PreloopDevice ${await signDeviceJwt(annPhone.privateKey, annPhone.id, 'POST', `${base}${path}`)}` },
    });
    expect(otherMethod.body.error.message).toContain('htm');
    const stolenKid = await asDevice(annPhone, 'GET', path, undefined, { kid: boPhone.id });
    expect(stolenKid).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining('signature') } } });
    const users = await asDevice(annPhone, 'GET', '/users');
    expect(users).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining('may not call') } } });
    const pairing = await asDevice(annPhone, 'POST', '/devices/pairings');
    expect(pairing.status).toBe(401);
  });

  it('refreshes its own push subscription (the device itself only)', async () => {
    const subscription = service.subscribe();
    const bySession = await api('PATCH', `/devices/${annPhone.id}`, {
      cookie: ann.cookie,
      headers: { origin: 'http://localhost' },
      body: { push: { kind: 'web-push', subscription } },
    });
    expect(bySession.status).toBe(403);
    const byDevice = await asDevice(annPhone, 'PATCH', `/devices/${annPhone.id}`, {
      name: 'renamed',
      push: { kind: 'web-push', subscription },
    });
    expect(byDevice).toMatchObject({ status: 200, body: { device: { id: annPhone.id, name: 'renamed' } } });
    const stored = await kernel.store.find(annPhone.id);
    expect(stored!.push).toEqual({ kind: 'web-push', subscription });
  });

  it('pushes a new request to the approvers’ phones through the outbox: encrypted, an id and a title, no argument', async () => {
    const before = service.pushes.length;
    const ticket = await ask('two', { repo: 'acme/api', api_key: secretArgument, note: 'confidential-note' });
    // Every active phone of every eligible approver (ann has two, bo one); not dave's: his agent asks (separation of duties).
    const phones = (await Promise.all([ann, bo].map((who) => kernel.store.activeFor(kernel.preloop.accountId, who.id, 'web-push')))).flat();
    expect(phones).toHaveLength(3);
    await expect
      .poll(() => service.pushes.slice(before).filter((push) => push.payload.includes(ticket.id)).length, { timeout: 8000 })
      .toBe(3);
    for (const push of service.pushes.slice(before)) {
      const payload = JSON.parse(push.payload);
      expect(payload).toMatchObject({
        v: 1,
        type: 'approval.requested',
        requestId: ticket.id,
        title: 'github.merge_pull_request needs approval',
      });
      expect(push.payload).not.toContain(secretArgument);
      expect(push.payload).not.toContain('confidential-note');
      expect(push.payload).not.toContain('acme/api');
    }
  });

  it('a revoked device is refused at once, and the revocation is audited', async () => {
    const path = '/approvals';
    expect((await asDevice(boPhone, 'GET', path)).status).toBe(200);
    expect((await api('DELETE', `/devices/${boPhone.id}`, { cookie: bo.cookie, headers: { origin: 'http://localhost' } })).status).toBe(
      204,
    );
    const after = await asDevice(boPhone, 'GET', path);
    expect(after).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining('revoked') } } });
    const audit = await kernel.preloop.audit.query({ accountId: kernel.preloop.accountId, action: 'push.device-revoke' });
    expect(audit.items.find((record) => record.targetId === boPhone.id)).toMatchObject({
      actorId: bo.id,
      data: expect.objectContaining({ reason: 'user' }),
    });
  });
});
