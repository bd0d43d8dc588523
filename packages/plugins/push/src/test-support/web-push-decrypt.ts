import { createDecipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from 'node:crypto';

/** A browser's side of a Web Push subscription: the keys a push service's client would hold. */
export interface TestSubscriptionKeys {
  /** The user agent's P-256 key pair (its public key is `p256dh`). */
  ecdh: ECDH;
  /** The 16-byte authentication secret (`auth`). */
  authSecret: Buffer;
  /** `{ p256dh, auth }` as `PushSubscription.toJSON()` gives them (base64url). */
  keys: { p256dh: string; auth: string };
}

/** Creates the keys of a test subscription (what a browser does in `PushManager.subscribe`). */
export function createSubscriptionKeys(): TestSubscriptionKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return { ecdh, authSecret, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') } };
}

/**
 * Decrypts a Web Push message body as the browser does (RFC 8291 with the
 * `aes128gcm` content coding of RFC 8188), written from the RFCs with
 * `node:crypto` so that it checks `web-push`'s encryption independently:
 * header (salt, record size, the sender's public key), ECDH with the
 * subscription's private key, the two HKDF steps, AES-128-GCM, padding.
 */
export function decryptWebPush(body: Buffer, subscription: TestSubscriptionKeys): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const senderPublic = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`aes128gcm: keyid must be the sender's 65-byte public key (got ${idLength} bytes)`);
  if (records.length > recordSize) throw new Error('aes128gcm: a push message is a single record');
  const receiverPublic = subscription.ecdh.getPublicKey();
  const ecdhSecret = subscription.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiverPublic, senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, subscription.authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error('aes128gcm: the last record must end with the delimiter 0x02');
  return padded.subarray(0, end).toString('utf8');
}
