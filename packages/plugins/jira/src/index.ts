/**
 * `@preloop/plugin-jira`: Jira Cloud and Data Center as a Preloop issue
 * tracker: projects, issues by key, comments, transitions and signed
 * webhooks, on `jira.js`.
 *
 * @packageDocumentation
 */
export { jira, jiraTracker, jiraSettingsSchema, jiraSecretsSchema } from './jira-tracker.js';
export type { JiraSettings } from './jira-tracker.js';
export { createJiraClient, jiraIssueKey } from './jira-client.js';
export type { JiraClientOptions } from './jira-client.js';
export { jiraWebhooks, signJiraWebhook } from './jira-webhooks.js';
export { toJiraError, jiraRetryAfterMs } from './jira-errors.js';
export { adfToText, textToAdf } from './jira-adf.js';
export type { AdfDocument, AdfNode } from './jira-adf.js';
export { jqlString, jqlTextTerm, jqlDate, searchJql, listJql } from './jira-jql.js';
export { toTrackerIssue as fromJiraIssue, toTrackerComment as fromJiraComment, fromJiraTime } from './jira-normalize.js';
export type { JiraIssueLike, JiraCommentLike, JiraUser } from './jira-normalize.js';
