import type { PreloopPlugin } from '@preloop/core';
import { approvals } from '@preloop/approvals';
import { gateway } from '@preloop/gateway';
import { mcp } from '@preloop/mcp';
import { anthropic } from '@preloop/plugin-anthropic';
import { openai } from '@preloop/plugin-openai';
import { mattermost, slack, slackWebhook } from '@preloop/plugin-slack';
import { webhook } from '@preloop/plugin-webhook';
import type { ConfigFile } from './config/config-schema.js';

/**
 * The reference server's plugins: the approval engine, the MCP endpoint, the
 * model gateway with the OpenAI and Anthropic providers, and the notifiers that
 * the configuration file turns on (webhook, Slack app, Slack incoming webhook, Mattermost).
 *
 * @example
 * ```ts
 * const plugins = referencePlugins(config, 'https://preloop.example.com');
 * ```
 */
export function referencePlugins(config: ConfigFile | null, publicUrl: string): PreloopPlugin[] {
  const plugins: PreloopPlugin[] = [approvals({ publicUrl }), mcp(), gateway(), openai(), anthropic()];
  const webhookSettings = config?.plugins.webhook;
  if (webhookSettings) plugins.push(webhook({ url: webhookSettings.url, secret: webhookSettings.secret, previousSecrets: webhookSettings.previousSecrets }));
  const { slack: slackSettings, slackWebhook: slackWebhookSettings, mattermost: mattermostSettings } = config?.plugins ?? {};
  if (slackSettings) plugins.push(slack({ botToken: slackSettings.botToken, signingSecret: slackSettings.signingSecret, channel: slackSettings.channel ?? null }));
  if (slackWebhookSettings) plugins.push(slackWebhook({ url: slackWebhookSettings.url }));
  if (mattermostSettings) plugins.push(mattermost({ url: mattermostSettings.url, username: mattermostSettings.username }));
  return plugins;
}
