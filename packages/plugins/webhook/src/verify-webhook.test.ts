import { describe, expect, it } from 'vitest';
import { signWebhook } from './sign-webhook.js';
import { verifyWebhook } from './verify-webhook.js';
import { createWebhookNotifier } from './webhook-plugin.js';
import { createWebhookSecret } from './webhook-secret.js';

// The example from the Standard Webhooks specification and its reference libraries.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it('matches the specification’s test vector', () => {
    const headers = signWebhook({ id: vector.id, timestamp: vector.timestamp, body: vector.body, secrets: [vector.secret] });
    expect(headers).toEqual({
      'webhook-id': vector.id,
      'webhook-timestamp': String(vector.timestamp),
      'webhook-signature': vector.signature,
    });
    expect(verifyWebhook(headers, vector.body, vector.secret, { now: vector.timestamp * 1000 }).payload).toEqual({ test: 2432232314 });
  });

  it('refuses missing headers, stale or future timestamps, and other signature versions', () => {
    const headers = signWebhook({ id: vector.id, timestamp: vector.timestamp, body: vector.body, secrets: [vector.secret] });
    const at = (seconds: number) => ({ now: (vector.timestamp + seconds) * 1000 });
    expect(() => verifyWebhook({ ...headers, 'webhook-id': '' }, vector.body, vector.secret, at(0))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_HEADERS_MISSING' }),
    );
    expect(() => verifyWebhook(headers, vector.body, vector.secret, at(301))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE' }),
    );
    expect(() => verifyWebhook(headers, vector.body, vector.secret, at(-301))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE' }),
    );
    expect(verifyWebhook(headers, vector.body, vector.secret, at(300)).id).toBe(vector.id);
    expect(() => verifyWebhook(headers, vector.body, vector.secret, { ...at(30), toleranceSeconds: 10 })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE' }),
    );
    const v2 = { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') };
    expect(() => verifyWebhook(v2, vector.body, vector.secret, at(0))).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
    // A signature for one timestamp does not carry over to another.
    expect(() =>
      verifyWebhook({ ...headers, 'webhook-timestamp': String(vector.timestamp + 1) }, vector.body, vector.secret, at(0)),
    ).toThrow(expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }));
    expect(() => verifyWebhook(new Headers(headers), vector.body, vector.secret, at(0))).not.toThrow();
  });

  it('refuses weak secrets and bad URLs at configuration', () => {
    expect(() => createWebhookNotifier({ url: 'https://example.com', secret: 'whsec_c2hvcnQ=' })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR' }),
    );
    expect(() => createWebhookNotifier({ url: 'ftp://example.com', secret: createWebhookSecret() })).toThrow(/"url"/);
    expect(() => createWebhookNotifier({ url: 'https://example.com', secret: 'whsec_***' })).toThrow(/"secret"/);
  });
});
