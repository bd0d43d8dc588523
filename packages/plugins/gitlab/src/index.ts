/**
 * `@preloop/plugin-gitlab`: GitLab (gitlab.com and self-managed) as a Preloop
 * issue tracker: projects, issues, notes, merge requests and `X-Gitlab-Token`
 * webhooks, on `@gitbeaker/rest`.
 *
 * @packageDocumentation
 */
export { gitlab, gitlabTracker, gitlabSettingsSchema, gitlabSecretsSchema } from './gitlab-tracker.js';
export type { GitLabSettings } from './gitlab-tracker.js';
export { createGitLabClient } from './gitlab-client.js';
export type { GitLabClientOptions } from './gitlab-client.js';
export { gitlabWebhooks } from './gitlab-webhooks.js';
export { toGitLabError, retryAfterMsOf } from './gitlab-requester.js';
export {
  toTrackerIssue as fromGitLabIssue,
  toTrackerPullRequest as fromGitLabMergeRequest,
  toTrackerComment as fromGitLabNote,
  fromGitLabTime,
} from './gitlab-normalize.js';
export type { GitLabIssueLike, GitLabNoteLike } from './gitlab-normalize.js';
