import { definePlugin, type PreloopPlugin, type Tracker } from '@preloop/core';
import { z } from 'zod';
import { createJiraClient } from './jira-client.js';
import { jiraWebhooks } from './jira-webhooks.js';

/** A Jira connection's settings (not secret). */
export const jiraSettingsSchema = z.object({
  /** The site: `https://acme.atlassian.net`, or the Data Center base URL (a context path allowed). */
  baseUrl: z.url({ protocol: /^https?$/, error: 'baseUrl must be the Jira site, such as https://acme.atlassian.net' }),
  /** `cloud` (REST API v3, email + API token) or `datacenter` (REST API v2, personal access token). @default 'cloud' */
  deployment: z.enum(['cloud', 'datacenter']).optional(),
  /** The issue type of issues created through Preloop (it must exist in the project). @default 'Task' */
  issueType: z.string().min(1).optional(),
  /** Time allowed for one API call, in ms. @default 30000 */
  timeoutMs: z.number().int().positive().optional(),
});

/** A Jira connection's settings. */
export type JiraSettings = z.infer<typeof jiraSettingsSchema>;

/**
 * A Jira connection's secrets: Cloud `email` and `apiToken`, or Data Center
 * `token` (a personal access token). (The admin webhook's secret, which signs
 * deliveries in `X-Hub-Signature`, is the connection's webhook secret, kept by
 * core and passed to `webhooks.verify`.)
 */
export const jiraSecretsSchema = z
  .object({
    email: z.string().min(1).optional(),
    apiToken: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
  })
  .refine((secrets) => (secrets.email && secrets.apiToken) || secrets.token, {
    message: 'give email and apiToken (Jira Cloud) or token (a Data Center personal access token)',
  }) as unknown as z.ZodType<Record<string, string>>;

/**
 * The Jira tracker (contract version 1): Jira Cloud (email + API token) or
 * Data Center (personal access token); issues by key, comments, transitions;
 * signed admin webhooks. No pull requests.
 *
 * @example
 * ```ts
 * const client = await jiraTracker().connect({ settings: { baseUrl: 'https://acme.atlassian.net' }, secrets: { email, apiToken } });
 * ```
 */
export function jiraTracker(): Tracker<JiraSettings> {
  return {
    id: 'jira',
    version: 1,
    displayName: 'Jira',
    settingsSchema: jiraSettingsSchema,
    secretsSchema: jiraSecretsSchema,
    pullRequests: false,
    connect: ({ settings, secrets, fetch }) =>
      createJiraClient({
        baseUrl: settings.baseUrl,
        deployment: settings.deployment ?? 'cloud',
        issueType: settings.issueType,
        timeoutMs: settings.timeoutMs,
        email: secrets.email,
        apiToken: secrets.apiToken,
        token: secrets.token,
        ...(fetch ? { fetch } : {}),
      }),
    webhooks: jiraWebhooks,
  };
}

/**
 * The Jira tracker plugin (id `jira`): connections to Jira Cloud or Data
 * Center, the governed tracker tools over them, and signed webhooks. Setup:
 * docs/trackers-guide.md, "Jira".
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database, secretKey, plugins: [jira()] });
 * ```
 */
export function jira() {
  return definePlugin({ id: 'jira', contributions: { trackers: [jiraTracker()] } }) satisfies PreloopPlugin;
}
