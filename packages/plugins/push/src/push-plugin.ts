import { definePlugin, PreloopError, type ApprovalNotificationType, type Notifier, type Preloop } from '@preloop/core';
import type { Kysely } from 'kysely';
import webPush from 'web-push';
import { createApnsNotifier } from './apns-notifier.js';
import { authenticateDevice } from './device-auth.js';
import type { PushDeviceDirectory } from './device-fanout.js';
import { deviceRoutes } from './device-routes.js';
import { createDeviceStore, type DeviceStore, type PushKind } from './device-store.js';
import { createFcmNotifier } from './fcm-notifier.js';
import type { ServiceAccountKey } from './fcm-token.js';
import { defaultPushPriority, type PushPriorityRule } from './push-payload.js';
import { defaultPushServiceHosts, endpointCheck, type PushRuntime } from './push-runtime.js';
import { pushMigrations, type PushTables } from './push-tables.js';
import { createWebPushNotifier, type VapidKeys } from './web-push-notifier.js';

/** A credential: the value itself (from the environment), or the name of a secret in Preloop's secret store (default account). */
export type PushSecret = string | { secret: string };

/** The name under which a generated VAPID key pair is kept in the secret store. */
export const generatedVapidSecretName = 'push.vapid';

/** Options of the {@link push} plugin. Each transport is on when its section is given. */
export interface PushOptions {
  /** Web Push (browsers, the installed approval app). Without keys, a key pair is generated on first start and kept in the secret store. @default off */
  webPush?: {
    /** Operator contact named in the VAPID JWT: `mailto:…` or `https://…`. */
    subject: string;
    /** The VAPID public key (base64url); with `privateKey`, or neither. @default generated */
    publicKey?: string;
    /** The VAPID private key (base64url). @default generated */
    privateKey?: PushSecret;
    /** Hosts a subscription endpoint may name (`*.` matches subdomains); `http:` only for loopback hosts listed here. @default the browsers' push services */
    endpointHosts?: string[];
  };
  /** APNs (native iOS and watchOS apps). @default off */
  apns?: {
    /** The app's bundle id (`apns-topic`). */
    bundleId: string;
    /** The `.p8` key's Key ID. */
    keyId: string;
    /** The Team ID. */
    teamId: string;
    /** The `.p8` key (PEM). */
    privateKey: PushSecret;
    /** Base URLs per environment; `http:` speaks clear-text HTTP/2 (local test servers only). @default Apple's production and sandbox hosts */
    hosts?: { production?: string; sandbox?: string };
    /** Extra trusted CA (PEM) for the APNs connection. @default none */
    ca?: string;
  };
  /** FCM HTTP v1 (native Android apps). @default off */
  fcm?: {
    /** The service-account key file's JSON text. */
    serviceAccount: PushSecret;
    /** The Firebase project id. @default the key's `project_id` */
    projectId?: string;
    /** The FCM API base URL. @default 'https://fcm.googleapis.com' */
    apiUrl?: string;
    /** The OAuth token URL. @default the key's `token_uri` */
    tokenUrl?: string;
  };
  /** The public URL of the server (pairing links, `htu` behind a proxy). @default `PRELOOP_PUBLIC_URL`, else the request's origin */
  publicUrl?: string | null;
  /** The approval app's path. @default '/approve/' */
  appPath?: string;
  /** The admin API path prefix the device credential is valid under. @default '/api/v1' */
  apiPath?: string;
  /** Active devices per user. @default 20 */
  maxDevicesPerUser?: number;
  /** How long a pairing token is valid, in seconds. @default 600 */
  pairingTtlSeconds?: number;
  /** Which notifications to push. @default all three */
  events?: ApprovalNotificationType[];
  /** Chooses a push's priority. @default `high` for requests and escalations, `normal` for resolved notices */
  priority?: PushPriorityRule;
  /** Workflows whose requests are pushed as `critical` (APNs critical alerts need Apple's entitlement). @default [] */
  criticalWorkflows?: string[];
  /** Time allowed for one push service request, in ms. @default 10000 */
  timeoutMs?: number;
  /** The fetch implementation (Web Push and FCM). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The clock, epoch ms (tests). @default Date.now */
  clock?: () => number;
}

function configError(option: string, message: string): PreloopError {
  return new PreloopError('CONFIGURATION_ERROR', `push: option "${option}" ${message}`);
}

interface PushState {
  preloop: Preloop | null;
  store: DeviceStore | null;
  vapid: VapidKeys | null;
}

function secretReader(state: PushState, source: PushSecret, option: string): () => Promise<string> {
  if (typeof source === 'string') {
    if (source.trim() === '') throw configError(option, 'is empty.');
    return async () => source;
  }
  if (!source || typeof source.secret !== 'string' || source.secret === '') {
    throw configError(option, 'must be a string or { secret: "<name in the secret store>" }.');
  }
  let cached: string | null = null;
  return async () => {
    if (cached !== null) return cached;
    const preloop = state.preloop;
    if (!preloop) throw new PreloopError('CONFIGURATION_ERROR', 'push: the plugin is not started.');
    cached = await preloop.secrets.get(preloop.accountId, source.secret);
    return cached;
  };
}

function parseServiceAccount(text: string): ServiceAccountKey {
  let parsed: Partial<ServiceAccountKey>;
  try {
    parsed = JSON.parse(text) as Partial<ServiceAccountKey>;
  } catch {
    throw configError('fcm.serviceAccount', 'must be the service-account key file’s JSON.');
  }
  for (const field of ['client_email', 'private_key', 'project_id'] as const) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') throw configError('fcm.serviceAccount', `lacks "${field}".`);
  }
  return parsed as ServiceAccountKey;
}

/** Reads the configured VAPID keys, or the generated pair (generating and storing it on first start). */
async function loadVapid(
  preloop: Preloop,
  options: NonNullable<PushOptions['webPush']>,
  privateKey: (() => Promise<string>) | null,
): Promise<VapidKeys> {
  let keys: VapidKeys;
  if (options.publicKey !== undefined && privateKey) {
    keys = { subject: options.subject, publicKey: options.publicKey, privateKey: await privateKey() };
  } else if (await preloop.secrets.has(preloop.accountId, generatedVapidSecretName)) {
    keys = {
      subject: options.subject,
      ...(JSON.parse(await preloop.secrets.get(preloop.accountId, generatedVapidSecretName)) as Omit<VapidKeys, 'subject'>),
    };
  } else {
    const generated = webPush.generateVAPIDKeys();
    await preloop.secrets.set(preloop.accountId, generatedVapidSecretName, JSON.stringify(generated));
    // Read back what is stored: when two instances start at once, the last write is the pair both use from now on.
    keys = {
      subject: options.subject,
      ...(JSON.parse(await preloop.secrets.get(preloop.accountId, generatedVapidSecretName)) as Omit<VapidKeys, 'subject'>),
    };
    preloop.logger.info('push: generated a VAPID key pair for Web Push and stored it in the secret store', {
      secret: generatedVapidSecretName,
    });
  }
  try {
    // Signs one VAPID JWT: a malformed key pair or subject fails here, at start-up, not on the first push.
    webPush.getVapidHeaders('https://push.example', keys.subject, keys.publicKey, keys.privateKey, 'aes128gcm');
  } catch (error) {
    throw configError('webPush', `has unusable VAPID details: ${(error as Error).message.replace(keys.privateKey, '[redacted]')}`);
  }
  return keys;
}

/**
 * The mobile approvals plugin (id `push`, needs `approvals`): device pairing
 * and the device routes (`/api/v1/devices…`, `/api/v1/push/config`), the
 * device-bound credential (`Authorization: PreloopDevice <jwt>`, an
 * `authenticate` hook), and up to three notifiers through the approvals
 * outbox: `web-push` (VAPID, RFC 8291), `apns` (HTTP/2, token auth) and
 * `fcm` (HTTP v1, service account). Setup: docs/mobile-approvals.md.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database, secretKey,
 *   plugins: [approvals({ publicUrl: 'https://preloop.example.com' }), push({ webPush: { subject: 'mailto:ops@example.com' } })],
 * });
 * ```
 */
export function push(options: PushOptions = {}) {
  const state: PushState = { preloop: null, store: null, vapid: null };
  const clock = options.clock ?? Date.now;
  const kinds = new Set<PushKind>();
  const notifiers: Notifier[] = [];
  const closers: Array<() => void> = [];
  const criticalWorkflows = new Set(options.criticalWorkflows ?? []);
  const basePriority = options.priority ?? defaultPushPriority;
  const priority: PushPriorityRule = (request, type) =>
    type !== 'approval.resolved' && criticalWorkflows.has(request.workflow.name) ? 'critical' : basePriority(request, type);
  const store = (): DeviceStore => {
    if (!state.store) throw new PreloopError('CONFIGURATION_ERROR', 'push: the plugin is not started.');
    return state.store;
  };
  const directory: PushDeviceDirectory = {
    activeFor: (accountId, userId, kind) => store().activeFor(accountId, userId, kind),
    sentTo: (notificationId) => store().sentTo(notificationId),
    recordSend: (notificationId, deviceId) => store().recordSend(notificationId, deviceId),
    async removeGone(device, transport, answer) {
      if (!(await store().revoke(device.id, 'push_unregistered'))) return;
      await state.preloop?.audit.record({
        accountId: device.accountId,
        actor: { type: 'system', name: 'push' },
        action: 'push.device-revoke',
        target: { type: 'device', id: device.id },
        outcome: 'success',
        data: { userId: device.userId, name: device.name, reason: 'push_unregistered', transport, answer },
      });
    },
  };
  const common = { devices: directory, events: options.events, priority, timeoutMs: options.timeoutMs, clock };

  let vapidPrivateKey: (() => Promise<string>) | null = null;
  if (options.webPush) {
    const web = options.webPush;
    if (typeof web.subject !== 'string' || !/^(mailto:|https:)/.test(web.subject)) {
      throw configError('webPush.subject', 'must be a mailto: or https: contact (push services use it to reach the operator).');
    }
    if ((web.publicKey === undefined) !== (web.privateKey === undefined)) {
      throw configError('webPush', 'needs both publicKey and privateKey, or neither (a pair is then generated and stored).');
    }
    if (web.privateKey !== undefined) vapidPrivateKey = secretReader(state, web.privateKey, 'webPush.privateKey');
    kinds.add('web-push');
    notifiers.push(
      createWebPushNotifier({
        ...common,
        fetch: options.fetch,
        vapid: async () => {
          if (!state.vapid) throw new PreloopError('CONFIGURATION_ERROR', 'push: the plugin is not started.');
          return state.vapid;
        },
      }),
    );
  }
  if (options.apns) {
    const apns = options.apns;
    for (const field of ['bundleId', 'keyId', 'teamId'] as const) {
      if (typeof apns[field] !== 'string' || apns[field].trim() === '') throw configError(`apns.${field}`, 'is required.');
    }
    const privateKey = secretReader(state, apns.privateKey, 'apns.privateKey');
    kinds.add('apns');
    const notifier = createApnsNotifier({
      ...common,
      bundleId: apns.bundleId,
      hosts: apns.hosts,
      ca: apns.ca,
      key: async () => ({ privateKey: await privateKey(), keyId: apns.keyId, teamId: apns.teamId }),
    });
    closers.push(() => notifier.close());
    notifiers.push(notifier);
  }
  if (options.fcm) {
    const fcm = options.fcm;
    const serviceAccount = secretReader(state, fcm.serviceAccount, 'fcm.serviceAccount');
    kinds.add('fcm');
    notifiers.push(
      createFcmNotifier({
        ...common,
        fetch: options.fetch,
        projectId: fcm.projectId,
        apiUrl: fcm.apiUrl,
        tokenUrl: fcm.tokenUrl,
        serviceAccount: async () => parseServiceAccount(await serviceAccount()),
      }),
    );
  }

  const publicUrl = options.publicUrl === undefined ? (process.env.PRELOOP_PUBLIC_URL ?? null) : options.publicUrl;
  const runtime: PushRuntime = {
    store,
    kinds,
    publicUrl,
    appPath: options.appPath ?? '/approve/',
    allowsEndpoint: endpointCheck(options.webPush?.endpointHosts ?? defaultPushServiceHosts),
    vapidPublicKey: async () => state.vapid?.publicKey ?? null,
  };

  return definePlugin({
    id: 'push',
    dependencies: ['approvals'],
    migrations: pushMigrations,
    contributions: { notifiers },
    routes: deviceRoutes(runtime),
    hooks: {
      authenticate: (request) =>
        state.preloop && state.store
          ? authenticateDevice(request, { preloop: state.preloop, store: state.store, publicUrl, apiPath: options.apiPath, clock })
          : null,
    },
    async init(preloop: Preloop) {
      state.preloop = preloop;
      state.store = createDeviceStore(preloop.db.withTables<PushTables>() as unknown as Kysely<PushTables>, {
        maxDevicesPerUser: options.maxDevicesPerUser,
        pairingTtlMs: (options.pairingTtlSeconds ?? 600) * 1000,
        clock,
      });
      if (options.webPush) state.vapid = await loadVapid(preloop, options.webPush, vapidPrivateKey);
      if (options.fcm) parseServiceAccount(await secretReader(state, options.fcm.serviceAccount, 'fcm.serviceAccount')());
    },
    close() {
      for (const close of closers) close();
      state.preloop = null;
    },
  });
}
