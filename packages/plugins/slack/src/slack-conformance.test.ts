import { notifierConformance } from '@preloop/core/testing';
import { expect, it } from 'vitest';
import { createIncomingWebhookNotifier, createSlackNotifier } from './index.js';
import { startFakeSlack } from './fake-slack-test-support.js';
import { startWebhookReceiver } from './fake-incoming-webhook-test-support.js';

const botToken = 'xoxb-1111-2222-conformanceToken0123';
const ann = { id: 'U0ANN', email: 'ann.approver@example.com', name: 'ann' };

notifierConformance({
  name: 'slack app (approvers: direct messages)',
  channel: () => startFakeSlack({ token: botToken, users: [ann] }),
  notifier: (slack) => createSlackNotifier({ botToken, apiUrl: slack.apiUrl, timeoutMs: 2000 }),
  secrets: [botToken],
  additionalTests: (context) => {
    it('finds the approver by email once (users.lookupByEmail) and writes to them directly', async () => {
      const fake = context.channel as Awaited<ReturnType<typeof startFakeSlack>>;
      expect(fake.callsOf('users.lookupByEmail').length).toBeGreaterThan(0);
      expect(fake.callsOf('users.lookupByEmail').length).toBeLessThan(fake.callsOf('chat.postMessage').length);
      expect(fake.messages.every((message) => message.channel === `D${ann.id}`)).toBe(true);
      expect(fake.calls.every((call) => call.token === botToken)).toBe(true);
    });
  },
});

notifierConformance({
  name: 'slack app (channel)',
  channel: () => startFakeSlack({ token: botToken, channels: ['C0APPROVALS'] }),
  notifier: (slack) => createSlackNotifier({ botToken, apiUrl: slack.apiUrl, channel: 'C0APPROVALS', timeoutMs: 2000 }),
  secrets: [botToken],
  additionalTests: (context) => {
    it('fails at once when the token is refused (invalid_auth) or the channel is gone (channel_not_found)', async () => {
      const fake = context.channel as Awaited<ReturnType<typeof startFakeSlack>>;
      const { sampleApprovalNotification } = await import('@preloop/core/testing');
      const revoked = createSlackNotifier({ botToken: 'xoxb-revoked-0000', apiUrl: fake.apiUrl, channel: 'C0APPROVALS' });
      await expect(
        revoked.notify(sampleApprovalNotification({ recipient: null }), { attempt: 1, signal: new AbortController().signal }),
      ).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('invalid_auth') });
      const gone = createSlackNotifier({ botToken, apiUrl: fake.apiUrl, channel: 'C0ARCHIVED' });
      await expect(
        gone.notify(sampleApprovalNotification({ recipient: null }), { attempt: 1, signal: new AbortController().signal }),
      ).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('channel_not_found') });
    });
  },
});

notifierConformance({
  name: 'slack incoming webhook (channel)',
  channel: startWebhookReceiver,
  notifier: (receiver) => createIncomingWebhookNotifier({ url: receiver.url, flavor: 'slack' }),
  secrets: [],
});

notifierConformance({
  name: 'mattermost incoming webhook (channel)',
  channel: startWebhookReceiver,
  notifier: (receiver) => createIncomingWebhookNotifier({ url: receiver.url, flavor: 'mattermost' }),
  additionalTests: (context) => {
    it('posts Mattermost JSON: Markdown text, the sender name, the notification id in props, no personal links in the channel', async () => {
      const receiver = context.channel as Awaited<ReturnType<typeof startWebhookReceiver>>;
      const body = receiver.bodies.at(-1)!;
      expect(body).toMatchObject({ username: 'Preloop', props: { preloop_notification_id: expect.stringMatching(/^ntf_/) } });
      expect(body.channel).toBeUndefined();
      expect(String(body.text)).toMatch(/\[View\]\(https:\/\/preloop\.example\.com\/console\/approvals\//);
      expect(String(body.text)).not.toContain('/links/');
    });
  },
});

notifierConformance({
  name: 'mattermost incoming webhook (approvers: direct messages)',
  channel: startWebhookReceiver,
  notifier: (receiver) =>
    createIncomingWebhookNotifier({
      url: receiver.url,
      flavor: 'mattermost',
      channelFor: (approver) => `@${approver.email.split('@')[0]}`,
    }),
  additionalTests: (context) => {
    it('sends each approver their personal links in a direct message (channel @user)', async () => {
      const receiver = context.channel as Awaited<ReturnType<typeof startWebhookReceiver>>;
      const body = receiver.bodies.find((entry) => String(entry.text).includes('[Approve]('))!;
      expect(body.channel).toBe('@ann.approver');
      expect(String(body.text)).toMatch(
        /\[Approve\]\(https:\/\/preloop\.example\.com\/api\/v1\/approvals\/[^)]+\/links\/[^)]+\?decision=approve\)/,
      );
      expect(String(body.text)).toMatch(/\[Deny\]\([^)]+\?decision=deny\)/);
    });
  },
});
