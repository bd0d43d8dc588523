import { definePlugin, type PreloopPlugin, type Tracker } from '@preloop/core';
import { z } from 'zod';
import { createGitLabClient } from './gitlab-client.js';
import { gitlabWebhooks } from './gitlab-webhooks.js';

/** A GitLab connection's settings (not secret). */
export const gitlabSettingsSchema = z.object({
  /** The instance's address, for self-managed GitLab (`https://gitlab.example.com`, a path prefix allowed). @default 'https://gitlab.com' */
  baseUrl: z.url({ protocol: /^https?$/, error: 'baseUrl must be an http(s) URL such as https://gitlab.example.com' }).optional(),
  /** Time allowed for one API call, in ms. @default 30000 */
  timeoutMs: z.number().int().positive().optional(),
});

/** A GitLab connection's settings. */
export type GitLabSettings = z.infer<typeof gitlabSettingsSchema>;

/**
 * A GitLab connection's secret: `token`, a personal, project or group access
 * token with the `api` scope. (The webhook's secret token is the connection's
 * webhook secret, which core keeps and passes to `webhooks.verify`.)
 */
export const gitlabSecretsSchema = z.object({
  token: z.string().min(1, 'token is required: a personal, project or group access token with the api scope'),
}) as unknown as z.ZodType<Record<string, string>>;

/**
 * The GitLab tracker (contract version 1): gitlab.com or self-managed, with an
 * access token; issues, notes and merge requests; `X-Gitlab-Token` webhooks.
 *
 * @example
 * ```ts
 * const client = await gitlabTracker().connect({ settings: { baseUrl: 'https://gitlab.example.com' }, secrets: { token } });
 * ```
 */
export function gitlabTracker(): Tracker<GitLabSettings> {
  return {
    id: 'gitlab',
    version: 1,
    displayName: 'GitLab',
    settingsSchema: gitlabSettingsSchema,
    secretsSchema: gitlabSecretsSchema,
    pullRequests: true,
    connect: ({ settings, secrets, fetch }) =>
      createGitLabClient({ baseUrl: settings.baseUrl, timeoutMs: settings.timeoutMs, token: secrets.token!, ...(fetch ? { fetch } : {}) }),
    webhooks: gitlabWebhooks,
  };
}

/**
 * The GitLab tracker plugin (id `gitlab`): connections to gitlab.com or a
 * self-managed instance, the governed tracker tools over them, and signed
 * webhooks. Setup: docs/trackers-guide.md, "GitLab".
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database, secretKey, plugins: [gitlab()] });
 * ```
 */
export function gitlab() {
  return definePlugin({ id: 'gitlab', contributions: { trackers: [gitlabTracker()] } }) satisfies PreloopPlugin;
}
