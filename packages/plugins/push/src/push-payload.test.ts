import { sampleApprovalNotification } from '@preloop/core/testing';
import { describe, expect, it } from 'vitest';
import { toApnsPayload } from './apns-notifier.js';
import { toFcmMessage } from './fcm-notifier.js';
import { collapseKey, toPushPayload } from './push-payload.js';

const secrets = ['sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c', 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'hunter2-hunter2'];

describe('push payloads', () => {
  // As if redaction had missed them: the payload builders must not carry arguments, reasons, questions or links at all.
  const notification = sampleApprovalNotification({
    request: {
      args: { token: secrets[0], nested: { password: secrets[2] }, note: `use ${secrets[1]}` },
      reason: `policy saw ${secrets[0]}`,
      justification: `agent says ${secrets[1]}`,
      kind: 'question',
      question: { text: `Which key, ${secrets[2]}?`, options: [secrets[0]], allowFreeText: false },
    },
  });

  it('carry no argument, reason, justification, question or link on any transport', () => {
    const payload = toPushPayload(notification);
    const wire = [JSON.stringify(payload), JSON.stringify(toApnsPayload(payload)), JSON.stringify(toFcmMessage(payload, 'fcm-token', 60))];
    for (const text of wire) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      for (const link of Object.values(notification.links)) if (link) expect(text).not.toContain(link);
      expect(text).toContain(notification.request.id);
    }
    expect(payload.title).toBe('deploy_service asks a question');
  });

  it('titles a resolved notice with its outcome, and keeps a collapse key within 32 URL-safe characters', () => {
    const resolved = sampleApprovalNotification({ type: 'approval.resolved', request: { status: 'denied' } });
    expect(toPushPayload(resolved)).toMatchObject({ title: 'deploy_service: denied', priority: 'normal', type: 'approval.resolved' });
    expect(collapseKey('apr_short', 32)).toBe('apr_short');
    const long = collapseKey('apr_0193f6c2-5d1e-7a3b-9c4d-1e2f3a4b5c6d', 32);
    expect(long).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(collapseKey('apr_0193f6c2-5d1e-7a3b-9c4d-1e2f3a4b5c6d', 32)).toBe(long);
  });
});
