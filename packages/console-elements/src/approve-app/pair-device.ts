/**
 * Pairing a browser as an approval device (issue 14): notification permission,
 * the service worker, a Web Push subscription with the server's VAPID key, a
 * non-extractable ES256 key, and `POST /api/v1/devices`.
 *
 * @module
 */
import { PreloopClient } from '../client/preloop-client.js';
import { createDeviceKey, deviceAuthorization, fromBase64url, saveDevice, type StoredDevice } from './device-key.js';

/** A step of {@link pairDevice}, as the app lists them. */
export type PairingStep = 'permission' | 'service-worker' | 'subscribe' | 'key' | 'register';

/** Options of {@link pairDevice}. */
export interface PairDeviceOptions {
  /** The client to register with (the signed-in session's, or any client when a pairing token is given). */
  client: PreloopClient;
  /** The single-use token of the QR code (`#pair=<token>`); without it the signed-in session registers the device. */
  pairingToken?: string;
  /** The device's name, shown in the console's device list. */
  name: string;
  /** The approval app's service worker script (its folder is the scope). */
  serviceWorkerUrl: string;
  /** Called as each step starts. */
  onStep?: (step: PairingStep) => void;
}

/** Why pairing stopped, in words for the person holding the phone. */
export class PairingError extends Error {
  constructor(
    readonly step: PairingStep,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PairingError';
  }
}

/**
 * Registers the approval app's service worker at `url` (scope: its folder) and waits until it is active.
 *
 * @example
 * ```ts
 * const registration = await activeServiceWorker('/approve/sw.js');
 * ```
 */
export async function activeServiceWorker(url: string): Promise<ServiceWorkerRegistration> {
  const scope = new URL('./', new URL(url, location.href)).href;
  const registration = await navigator.serviceWorker.register(url, { scope });
  const worker = registration.installing ?? registration.waiting;
  if (!registration.active && worker)
    await new Promise<void>((resolve, reject) => {
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') resolve();
        if (worker.state === 'redundant') reject(new Error('the service worker failed to install'));
      });
    });
  return registration;
}

/** The client of a paired device: every request carries `Authorization: PreloopDevice <jwt>`, signed for it. */
export function deviceClient(device: StoredDevice): PreloopClient {
  return new PreloopClient({
    baseUrl: device.apiUrl.replace(/\/api\/v1\/?$/, ''),
    credentials: 'omit',
    authorization: (method, url) => deviceAuthorization(device, method, url),
  });
}

/**
 * Pairs this browser: asks for notification permission, registers the service
 * worker, subscribes to Web Push with the server's VAPID key
 * (`GET /api/v1/push/config`), makes a non-extractable ES256 key, registers
 * the device (`POST /api/v1/devices`, consuming the pairing token) and keeps
 * it in IndexedDB. Fails with a {@link PairingError} naming the step and what to do.
 *
 * @example
 * ```ts
 * const device = await pairDevice({ client, pairingToken, name: 'Ada’s phone', serviceWorkerUrl: 'sw.js' });
 * ```
 */
export async function pairDevice(options: PairDeviceOptions): Promise<StoredDevice> {
  const { client } = options;
  const step = async <T>(name: PairingStep, run: () => Promise<T>, explain: (error: unknown) => string): Promise<T> => {
    options.onStep?.(name);
    try {
      return await run();
    } catch (error) {
      if (error instanceof PairingError) throw error;
      throw new PairingError(name, explain(error), { cause: error });
    }
  };
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

  await step(
    'permission',
    async () => {
      if (typeof Notification === 'undefined' || !('serviceWorker' in navigator))
        throw new PairingError(
          'permission',
          'This browser cannot show notifications from a web app (on iPhone: add it to the Home Screen first).',
        );
      const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      if (permission !== 'granted')
        throw new PairingError(
          'permission',
          'Notifications are blocked for this site: allow them in the browser’s site settings, then try again.',
        );
    },
    reason,
  );
  const registration = await step(
    'service-worker',
    () => activeServiceWorker(options.serviceWorkerUrl),
    (error) => `The app could not install its service worker: ${reason(error)}`,
  );
  const subscription = await step(
    'subscribe',
    async () => {
      const config = (await client.route('GET /push/config')).webPush;
      if (!config) throw new PairingError('subscribe', 'This server has no Web Push key (VAPID) configured: ask an admin to set one up.');
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(config.vapidPublicKey) });
    },
    (error) => `The browser’s push service refused the subscription: ${reason(error)}`,
  );
  const key = await step('key', createDeviceKey, (error) => `The browser could not make a device key: ${reason(error)}`);
  const { endpoint, keys } = subscription.toJSON();
  if (!endpoint || !keys?.p256dh || !keys.auth)
    throw new PairingError('subscribe', 'The browser gave a push subscription without its endpoint or keys.');
  const { device } = await step(
    'register',
    () =>
      client.route('POST /devices', {
        body: {
          ...(options.pairingToken ? { pairingToken: options.pairingToken } : {}),
          name: options.name,
          platform: 'web',
          publicKeyJwk: key.publicKeyJwk,
          push: { kind: 'web-push', subscription: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } } },
        },
      }),
    (error) => `The server did not register this device: ${reason(error)}`,
  );
  const stored: StoredDevice = {
    id: device.id,
    name: device.name,
    apiUrl: new URL(client.apiUrl, location.href).href,
    privateKey: key.privateKey,
    publicKeyJwk: key.publicKeyJwk,
    pairedAt: Date.now(),
  };
  await saveDevice(stored);
  return stored;
}

/**
 * A default name for this device, from the browser's platform (for example "Android phone", "iPhone").
 *
 * @example
 * ```ts
 * const name = defaultDeviceName(navigator.userAgent);
 * ```
 */
export function defaultDeviceName(userAgent: string): string {
  if (/iPhone/.test(userAgent)) return 'iPhone';
  if (/iPad/.test(userAgent)) return 'iPad';
  if (/Android/.test(userAgent)) return /Mobile/.test(userAgent) ? 'Android phone' : 'Android tablet';
  if (/Mac OS X/.test(userAgent)) return 'Mac';
  if (/Windows/.test(userAgent)) return 'Windows PC';
  if (/Linux/.test(userAgent)) return 'Linux computer';
  return 'Browser';
}
