/** The `github()` plugin: the GitHub tracker, contributed to the kernel. */

import { definePlugin, type Tracker } from '@preloop/core';
import { createGitHubClient } from './github-client.js';
import { type GitHubSecrets, type GitHubSettings, githubSecretsSchema, githubSettingsSchema } from './github-settings.js';
import { githubWebhooks } from './github-webhooks.js';

/**
 * The GitHub tracker (contract version 1): issues, comments, pull requests
 * and signed webhooks of github.com or GitHub Enterprise Server.
 *
 * @example
 * ```ts
 * const tracker = githubTracker();
 * const client = await tracker.connect({ settings: { baseUrl: 'https://api.github.com' }, secrets: { token: 'ghp_…' } });
 * ```
 */
export function githubTracker(): Tracker<GitHubSettings> {
  return {
    id: 'github',
    version: 1,
    displayName: 'GitHub',
    settingsSchema: githubSettingsSchema,
    secretsSchema: githubSecretsSchema as unknown as Tracker['secretsSchema'],
    pullRequests: true,
    connect: ({ settings, secrets, fetch }) =>
      createGitHubClient({ settings, secrets: secrets as GitHubSecrets, ...(fetch ? { fetch } : {}) }),
    webhooks: githubWebhooks,
  };
}

/**
 * The GitHub plugin: installs the `github` tracker. Connections (a token or a
 * GitHub App installation) are made through the admin API
 * (`POST /api/v1/trackers/connections`) or the console.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database, secretKey, plugins: [approvals(), github()] });
 * ```
 */
export function github() {
  return definePlugin({ id: 'github', contributions: { trackers: [githubTracker()] } });
}
