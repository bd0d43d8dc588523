import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCheckpointSigner, deriveCheckpointKeyPair, verifyCheckpoint } from './checkpoints.js';

const key = 'checkpoint-test-key-0123456789abcdef0123456789';
const otherKey = 'other-checkpoint-key-abcdefghijklmnopqrstuvwxyz';
const payload = { accountId: 'acc_default', seq: 1000, hash: 'a'.repeat(64) };

describe('checkpoints', () => {
  it('derives the same Ed25519 key from the same secret key, another from another', () => {
    const first = deriveCheckpointKeyPair(key).publicKey;
    expect(deriveCheckpointKeyPair(key).publicKey).toEqual(first);
    expect(deriveCheckpointKeyPair(otherKey).publicKey.keyId).not.toBe(first.keyId);
    expect(first.algorithm).toBe('Ed25519');
    expect(first.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(first.raw, 'base64')).toHaveLength(32);
    expect(createPublicKey(first.pem).asymmetricKeyType).toBe('ed25519');
  });

  it('signs and verifies; another instance with the same key verifies too', () => {
    const signature = createCheckpointSigner(key).sign(payload);
    const signer = createCheckpointSigner(key);
    expect(signer.verify(payload, signer.keyId, signature)).toBe(true);
    expect(signer.verify({ ...payload, seq: 1001 }, signer.keyId, signature)).toBe(false);
    expect(signer.verify({ ...payload, accountId: 'acc_other' }, signer.keyId, signature)).toBe(false);
    expect(signer.verify({ ...payload, hash: 'b'.repeat(64) }, signer.keyId, signature)).toBe(false);
    expect(signer.verify(payload, signer.keyId, 'not-base64!')).toBe(false);
    expect(signer.verify(payload, 'unknown', signature)).toBe(false);
  });

  it('verifies externally with the published PEM or raw key', () => {
    const signer = createCheckpointSigner(key);
    const signature = signer.sign(payload);
    expect(verifyCheckpoint(signer.publicKey.pem, payload, signature)).toBe(true);
    expect(verifyCheckpoint(signer.publicKey.raw, payload, signature)).toBe(true);
    expect(verifyCheckpoint(createCheckpointSigner(otherKey).publicKey.pem, payload, signature)).toBe(false);
  });

  it('previous secret keys still verify what they signed', () => {
    const old = createCheckpointSigner(key);
    const signature = old.sign(payload);
    const rotated = createCheckpointSigner(otherKey, [key]);
    expect(rotated.keyId).not.toBe(old.keyId);
    expect(rotated.knows(old.keyId)).toBe(true);
    expect(rotated.verify(payload, old.keyId, signature)).toBe(true);
    expect(createCheckpointSigner(otherKey).verify(payload, old.keyId, signature)).toBe(false);
  });
});
