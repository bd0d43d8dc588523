import type { DeviceStore, PushKind } from './device-store.js';

/** What the device routes need from the running plugin. */
export interface PushRuntime {
  /** The device store (once the plugin is started). */
  store(): DeviceStore;
  /** The transports this server sends: a device of another kind is refused at registration. */
  kinds: ReadonlySet<PushKind>;
  /** The public URL the pairing link names, or null to use the request's origin. */
  publicUrl: string | null;
  /** The approval app's path, for the pairing link. @default '/approve/' */
  appPath: string;
  /** Whether a Web Push subscription endpoint may be pushed to (a known push service). */
  allowsEndpoint(url: URL): boolean;
  /** The VAPID public key the app subscribes with, or null without Web Push. */
  vapidPublicKey(): Promise<string | null>;
}

/** The hosts of the browsers' push services (Chrome/Edge via FCM, Firefox, Safari, Windows): the default `endpointHosts`. */
export const defaultPushServiceHosts: readonly string[] = [
  'fcm.googleapis.com',
  '*.push.services.mozilla.com',
  'web.push.apple.com',
  '*.notify.windows.com',
];

/**
 * Builds the endpoint check of Web Push subscriptions: `https:` to one of
 * `hosts` (a `*.` prefix matches subdomains); `http:` only to a listed
 * loopback host (a local push service in tests). Anything else is refused,
 * so a registered "subscription" cannot make the server POST to an
 * internal address.
 *
 * @example
 * ```ts
 * endpointCheck(['fcm.googleapis.com'])(new URL('https://fcm.googleapis.com/fcm/send/abc')); // true
 * ```
 */
export function endpointCheck(hosts: readonly string[]): (url: URL) => boolean {
  return (url) => {
    const host = url.hostname.toLowerCase();
    const listed = hosts.some((pattern) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern.toLowerCase()));
    if (!listed) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && (host === '127.0.0.1' || host === 'localhost' || host === '[::1]');
  };
}
