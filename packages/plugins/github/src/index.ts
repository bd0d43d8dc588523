/**
 * `@preloop/plugin-github`: the GitHub tracker (github.com and GitHub
 * Enterprise Server; a personal access token or a GitHub App), its client and
 * its signed webhooks.
 *
 * @packageDocumentation
 */
export { github, githubTracker } from './github-plugin.js';
export { createGitHubClient } from './github-client.js';
export type { GitHubClientOptions } from './github-client.js';
export { githubSettingsSchema, githubSecretsSchema } from './github-settings.js';
export type { GitHubSettings, GitHubSecrets } from './github-settings.js';
export { githubWebhooks, parseGitHubDelivery, verifyGitHubDelivery } from './github-webhooks.js';
export { toTrackerError, rateLimitWaitMs } from './github-errors.js';
export { toTrackerComment, toTrackerIssue, toTrackerProject, toTrackerPullRequest, projectOf } from './github-mapping.js';
export type { GitHubIssueJson, GitHubPullJson } from './github-mapping.js';
