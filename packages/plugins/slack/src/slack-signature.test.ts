import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackRequest } from './index.js';

/** The worked example of Slack's "Verifying requests from Slack" page: secret, timestamp, raw body and the signature Slack sent. */
const slackExample = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const at = Number(slackExample.timestamp) * 1000;

describe('Slack request signatures', () => {
  it('accept Slack’s own worked example, and sign it to the same signature', () => {
    expect(signSlackRequest(slackExample)).toBe(slackExample.signature);
    expect(verifySlackRequest({ ...slackExample, now: at + 1000 })).toBeNull();
  });

  it('refuse a changed body, another secret, a changed or uppercase signature, and missing headers', () => {
    expect(verifySlackRequest({ ...slackExample, body: slackExample.body.replace('foobar', 'foobaz'), now: at })).toBe('signature_invalid');
    expect(verifySlackRequest({ ...slackExample, signingSecret: 'another-secret-0000000000000000', now: at })).toBe('signature_invalid');
    expect(verifySlackRequest({ ...slackExample, signature: slackExample.signature.toUpperCase(), now: at })).toBe('signature_invalid');
    expect(verifySlackRequest({ ...slackExample, signature: `${slackExample.signature}0`, now: at })).toBe('signature_invalid');
    expect(verifySlackRequest({ ...slackExample, signature: null, now: at })).toBe('headers_missing');
    expect(verifySlackRequest({ ...slackExample, timestamp: null, now: at })).toBe('headers_missing');
  });

  it('refuse a timestamp outside 5 minutes either way, or not a number, before comparing signatures', () => {
    expect(verifySlackRequest({ ...slackExample, now: at + 300_000 })).toBeNull();
    expect(verifySlackRequest({ ...slackExample, now: at + 301_000 })).toBe('timestamp_stale');
    expect(verifySlackRequest({ ...slackExample, now: at - 301_000 })).toBe('timestamp_stale');
    expect(verifySlackRequest({ ...slackExample, timestamp: '1531420618.5', now: at })).toBe('timestamp_invalid');
  });
});
