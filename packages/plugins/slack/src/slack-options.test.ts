import { sampleApprovalNotification } from '@preloop/core/testing';
import { describe, expect, it } from 'vitest';
import { createIncomingWebhookNotifier, createSlackNotifier, slack, toSlackMessage } from './index.js';

const buttonsOf = (blocks: Array<Record<string, unknown>>) =>
  blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block) => (block.elements as Array<{ text: { text: string } }>).map((element) => element.text.text));

describe('Slack plugin options and messages', () => {
  it('refuses a malformed token, channel, secret or webhook URL with a CONFIGURATION_ERROR naming the option, never echoing the token', () => {
    expect(() => createSlackNotifier({ botToken: 'my-secret-token' })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining('"botToken"') }),
    );
    expect(() => createSlackNotifier({ botToken: 'my-secret-token' })).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining('my-secret-token') }),
    );
    expect(() => createSlackNotifier({ botToken: 'xoxb-1-2-3', channel: '#approvals' })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining('channel ID') }),
    );
    expect(() => slack({ botToken: 'xoxb-1-2-3', signingSecret: '' })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining('"signingSecret"') }),
    );
    expect(() => slack({ botToken: { secret: '' }, signingSecret: 'x'.repeat(32) })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining('"botToken"') }),
    );
    expect(() => createIncomingWebhookNotifier({ url: 'hooks.example.com/x', flavor: 'mattermost' })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining('"url"') }),
    );
    expect(() =>
      createIncomingWebhookNotifier({ url: 'https://hooks.slack.com/services/T/B/X', flavor: 'slack', channelFor: () => '@ann' }),
    ).toThrow(expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining('channelFor') }));
  });

  it('draws a question: its options as buttons (at most 20, the rest listed), free text answered in Preloop, a resolved request without buttons', () => {
    const options = (count: number) => Array.from({ length: count }, (_, index) => `option-${index + 1}`);
    const question = (list: string[], allowFreeText: boolean) =>
      sampleApprovalNotification({ request: { kind: 'question', question: { text: 'Which?', options: list, allowFreeText } } });
    expect(buttonsOf(toSlackMessage(question(options(2), false), { interactive: true }).blocks)).toEqual([
      'option-1',
      'option-2',
      'Decline',
      'View',
    ]);
    const many = toSlackMessage(question(options(23), false), { interactive: true });
    expect(buttonsOf(many.blocks)).toHaveLength(20 + 2);
    expect(JSON.stringify(many.blocks)).toContain('option-23');
    expect(buttonsOf(toSlackMessage(question([], true), { interactive: true }).blocks)).toEqual(['Decline', 'Answer in Preloop']);
    const resolved = sampleApprovalNotification({
      type: 'approval.resolved',
      request: { status: 'approved', decidedBy: 'usr_ann', decidedAt: Date.UTC(2026, 0, 15, 9, 32) },
    });
    const drawn = toSlackMessage(resolved, { interactive: true, decidedByName: 'Ann <Ops>' });
    expect(buttonsOf(drawn.blocks)).toEqual(['View']);
    expect(JSON.stringify(drawn.blocks)).toContain('approved by Ann &lt;Ops&gt;, <!date^1768469520^');
  });
});
