/**
 * The paired device's credential, in the browser: a non-extractable ES256 key
 * pair made with WebCrypto and kept in IndexedDB (the page and its service
 * worker share it), and the device JWTs it signs for
 * `Authorization: PreloopDevice <jwt>` (docs/mobile-approvals.md, "Device-authenticated requests").
 * The private key never leaves the browser: IndexedDB stores the `CryptoKey`
 * object itself, which cannot be exported.
 *
 * @module
 */
import type { RegisterDeviceInput } from '../client/api-types.js';

/** The device's public key as the server takes it (`POST /devices`): an ES256 (P-256) JWK, never the private part. */
export type DevicePublicKeyJwk = RegisterDeviceInput['publicKeyJwk'];

/** What a paired browser keeps about itself. */
export interface StoredDevice {
  /** The device id the server gave (`dev_…`), the JWT's `kid`. */
  id: string;
  /** The device's name, as registered. */
  name: string;
  /** The admin API's root the device was paired with, for example `https://preloop.example.com/api/v1`. */
  apiUrl: string;
  /** The ES256 private key (non-extractable). */
  privateKey: CryptoKey;
  /** The public half, as registered. */
  publicKeyJwk: DevicePublicKeyJwk;
  /** When it was paired (epoch ms). */
  pairedAt: number;
}

/** A fresh key pair, before the server knows it. */
export interface DeviceKeyPair {
  privateKey: CryptoKey;
  /** The public key as a JWK (`kty: EC`, `crv: P-256`, `x`, `y`). */
  publicKeyJwk: DevicePublicKeyJwk;
}

const databaseName = 'preloop-approve';
const storeName = 'device';
const recordKey = 'current';
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/**
 * Makes the device's key pair: ECDSA P-256 whose private key cannot be exported.
 *
 * @example
 * ```ts
 * const { privateKey, publicKeyJwk } = await createDeviceKey();
 * ```
 */
export async function createDeviceKey(): Promise<DeviceKeyPair> {
  const pair = await crypto.subtle.generateKey(ecdsa, false, ['sign', 'verify']);
  const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (!x || !y) throw new Error('The browser exported no P-256 public key.');
  return { privateKey: pair.privateKey, publicKeyJwk: { kty: 'EC', crv: 'P-256', x, y } };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The bytes of a base64url text (padding optional), for example a VAPID public key for `PushManager.subscribe`.
 *
 * @example
 * ```ts
 * const applicationServerKey = fromBase64url(vapidPublicKey);
 * ```
 */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '='),
  );
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

const encodeJson = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));

/**
 * Signs a device JWT for one request: header `{ alg: 'ES256', typ: 'preloop-device+jwt', kid }`,
 * payload `{ htm, htu, iat, jti }`, where `htu` is the absolute URL without its query and fragment.
 * WebCrypto's ECDSA signature is the raw `r || s` (64 bytes), which is exactly what JWS ES256 takes.
 *
 * @example
 * ```ts
 * const jwt = await signDeviceJwt(device.privateKey, device.id, 'POST', 'https://preloop.example.com/api/v1/approvals/apr_1/decide');
 * await fetch(url, { method: 'POST', headers: { authorization: `PreloopDevice ${jwt}` } });
 * ```
 */
export async function signDeviceJwt(privateKey: CryptoKey, deviceId: string, method: string, url: string): Promise<string> {
  const target = new URL(url);
  const htu = `${target.origin}${target.pathname}`;
  const header = encodeJson({ alg: 'ES256', typ: 'preloop-device+jwt', kid: deviceId });
  const payload = encodeJson({
    htm: method.toUpperCase(),
    htu,
    iat: Math.floor(Date.now() / 1000),
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
  });
  const input = `${header}.${payload}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/**
 * The `Authorization` header value for a request made as the device (`PreloopDevice <jwt>`):
 * what `PreloopClient`'s `authorization` option takes.
 *
 * @example
 * ```ts
 * const client = new PreloopClient({ baseUrl, authorization: (method, url) => deviceAuthorization(device, method, url) });
 * ```
 */
export async function deviceAuthorization(device: Pick<StoredDevice, 'id' | 'privateKey'>, method: string, url: string): Promise<string> {
  return `PreloopDevice ${await signDeviceJwt(device.privateKey, device.id, method, url)}`;
}

function openStore(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transact<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const database = await openStore();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(storeName, mode);
      const request = run(transaction.objectStore(storeName));
      transaction.oncomplete = () => resolve(request.result as T);
      transaction.onerror = () => reject(transaction.error ?? request.error);
      transaction.onabort = () => reject(transaction.error ?? new Error('The device store transaction was aborted.'));
    });
  } finally {
    database.close();
  }
}

/**
 * The device this browser is paired as, or null (IndexedDB `preloop-approve`, shared with the service worker).
 *
 * @example
 * ```ts
 * const device = await loadDevice();
 * ```
 */
export async function loadDevice(): Promise<StoredDevice | null> {
  return (await transact<StoredDevice | undefined>('readonly', (store) => store.get(recordKey))) ?? null;
}

/**
 * Keeps the paired device (replacing any earlier one).
 *
 * @example
 * ```ts
 * await saveDevice({ id: device.id, name, apiUrl: client.apiUrl, privateKey, publicKeyJwk, pairedAt: Date.now() });
 * ```
 */
export async function saveDevice(device: StoredDevice): Promise<void> {
  await transact('readwrite', (store) => store.put(device, recordKey));
}

/**
 * Forgets the paired device (after the server revoked it, or to pair again).
 *
 * @example
 * ```ts
 * await forgetDevice();
 * ```
 */
export async function forgetDevice(): Promise<void> {
  await transact('readwrite', (store) => store.delete(recordKey));
}
