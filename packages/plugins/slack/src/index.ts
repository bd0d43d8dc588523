/**
 * `@preloop/plugin-slack`: approval notifications in Slack (an app with
 * interactive Block Kit messages, or an incoming webhook) and Mattermost
 * (an incoming webhook), with the Slack interactivity endpoint.
 *
 * @packageDocumentation
 */
export { slack, mattermost, slackWebhook } from './slack-plugin.js';
export type { SlackOptions, SlackSecret, IncomingWebhookPluginOptions } from './slack-plugin.js';
export { createSlackNotifier } from './slack-notifier.js';
export type { SlackNotifier, SlackNotifierOptions } from './slack-notifier.js';
export { createIncomingWebhookNotifier } from './incoming-webhook.js';
export type { IncomingWebhookOptions } from './incoming-webhook.js';
export { toSlackMessage, toMarkdownMessage, escapeSlackText, describeOutcome, slackActionIds, maxOptionButtons } from './slack-message.js';
export type { SlackBlock, SlackMessage, SlackMessageOptions, SlackActionValue } from './slack-message.js';
export { signSlackRequest, verifySlackRequest, slackSignatureToleranceSeconds } from './slack-signature.js';
export type { SlackSigningInput, VerifySlackRequestInput, SlackSignatureRefusal } from './slack-signature.js';
export { toSlackFailure, webhookAnswerFailure } from './notifier-failure.js';
export { findSlackUser, slackUserLinkRoutes } from './slack-user-links.js';
export type { SlackClicker, SlackUserMatch } from './slack-user-links.js';
export { slackInteractionRoute } from './slack-interactions.js';
export type { SlackInteractionRuntime } from './slack-interactions.js';
export { slackMigrations } from './slack-tables.js';
export type { SlackTables } from './slack-tables.js';
