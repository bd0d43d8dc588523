/**
 * The issue tracker contract (version 1): what a tracker plugin (GitHub,
 * GitLab, Jira…) gives the kernel. A tracker turns a connection's settings and
 * secrets into a {@link TrackerClient} that reads and writes issues, comments
 * and (where the tracker has them) pull/merge requests in one normalized shape,
 * and turns the tracker's signed webhook deliveries into typed
 * {@link TrackerEvent}s. Everything shared — connections and their secrets,
 * the MCP tools, webhook intake (verify, deduplicate, audit), sync and search —
 * lives in core once; a plugin only speaks its tracker's API.
 *
 * @module
 */

import type { z } from 'zod';
import { describeValue } from './describe-value.js';

/** The version of the tracker contract described in this file. */
export const trackerContractVersion = 1;

/** A page of a tracker listing; `nextCursor` is opaque to everyone but the tracker. */
export interface TrackerPage<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * A project in a tracker: a GitHub repository (`key` = `owner/repo`), a GitLab
 * project (`key` = its full path, `group/sub/project`), a Jira project (`key` = `PROJ`).
 */
export interface TrackerProject {
  /** The tracker's own stable id. */
  id: string;
  /** What tools and filters name the project by (see above). */
  key: string;
  name: string;
  url: string;
  /** The tracker's object as it answered. */
  raw: unknown;
}

/** Where an issue or pull request lives: its project key and its number within it. */
export interface TrackerIssueRef {
  /** The project key (`owner/repo`, `group/project`, `PROJ`). */
  project: string;
  /** The number within the project: `12` on GitHub and GitLab (the iid), `PROJ-12` on Jira. */
  number: string;
}

/** An issue, normalized across trackers, with the tracker's own object kept in `raw`. */
export interface TrackerIssue extends TrackerIssueRef {
  /** The tracker's own stable id (survives a move or rename). */
  id: string;
  /** How people write it: `owner/repo#12`, `group/project#12`, `PROJ-12`. */
  key: string;
  title: string;
  /** The description as plain text or Markdown (Jira's document format converted to text). */
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  /** Assignees' logins (GitHub/GitLab usernames; Jira account ids). */
  assignees: string[];
  /** The author's login, when the tracker says. */
  author: string | null;
  url: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  raw: unknown;
}

/** A pull request (GitHub) or merge request (GitLab). */
export interface TrackerPullRequest extends Omit<TrackerIssue, 'state'> {
  state: 'open' | 'closed' | 'merged';
  /** The branch the changes come from. */
  sourceBranch: string;
  /** The branch they go into. */
  targetBranch: string;
  draft: boolean;
  mergedAt: number | null;
}

/** A comment on an issue or pull request. */
export interface TrackerComment {
  id: string;
  body: string;
  author: string | null;
  url: string;
  createdAt: number;
  updatedAt: number;
  raw: unknown;
}

/** What {@link TrackerClient.searchIssues} takes; every field narrows. */
export interface TrackerSearchQuery {
  /** Free text, in the tracker's own search. */
  text?: string;
  project?: string;
  /** @default 'open' */
  state?: 'open' | 'closed' | 'all';
  labels?: string[];
  assignee?: string;
  cursor?: string;
  /** @default 30 */
  limit?: number;
}

/** What {@link TrackerClient.listIssues} takes: one project's issues by update time, for sync. */
export interface TrackerListQuery {
  project: string;
  /** Only issues updated at or after this time (epoch ms). */
  updatedSince?: number;
  cursor?: string;
  /** @default 100 */
  limit?: number;
}

/** A new issue. */
export interface TrackerCreateIssueInput {
  project: string;
  title: string;
  body?: string;
  labels?: string[];
  assignees?: string[];
}

/** A change to an issue; only the given fields change (labels and assignees are replaced whole). */
export interface TrackerUpdateIssueInput {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  labels?: string[];
  assignees?: string[];
}

/** A new pull or merge request. */
export interface TrackerCreatePullRequestInput {
  project: string;
  title: string;
  body?: string;
  sourceBranch: string;
  targetBranch: string;
  draft?: boolean;
}

/** A change to a pull or merge request; only the given fields change. */
export interface TrackerUpdatePullRequestInput {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  targetBranch?: string;
}

/**
 * Pull/merge requests, on trackers that have them (GitHub, GitLab). Their
 * comments go through the issue comment methods with the same ref.
 */
export interface TrackerPullRequests {
  get(ref: TrackerIssueRef): Promise<TrackerPullRequest>;
  create(input: TrackerCreatePullRequestInput): Promise<TrackerPullRequest>;
  update(ref: TrackerIssueRef, change: TrackerUpdatePullRequestInput): Promise<TrackerPullRequest>;
  /**
   * One project's pull/merge requests, every state, for sync: with
   * `updatedSince`, only those updated at or after it. The order is the
   * tracker's (GitHub: newest update first, its pull request listing has no
   * `since`; GitLab: oldest first). Optional: without it, the sync leaves pull
   * requests to webhooks.
   */
  list?(query: TrackerListQuery): Promise<TrackerPage<TrackerPullRequest>>;
}

/**
 * One connection's client: the tracker's API in normalized shapes. Methods
 * throw `PreloopError`s: `TRACKER_NOT_FOUND` (404), `TRACKER_FORBIDDEN` (403),
 * `TRACKER_RATE_LIMITED` (429, with `details.retryAfterMs`),
 * `TRACKER_UNAVAILABLE` (502/503), `TRACKER_INVALID_INPUT` (400). The
 * tracker's credential never appears in an error.
 */
export interface TrackerClient {
  /** Checks the credential; answers who the connection acts as. */
  test(): Promise<{ identity: string }>;
  listProjects(query?: { cursor?: string; limit?: number }): Promise<TrackerPage<TrackerProject>>;
  getIssue(ref: TrackerIssueRef): Promise<TrackerIssue>;
  searchIssues(query: TrackerSearchQuery): Promise<TrackerPage<TrackerIssue>>;
  /** One project's issues, oldest update first (pull requests excluded), for sync. */
  listIssues(query: TrackerListQuery): Promise<TrackerPage<TrackerIssue>>;
  createIssue(input: TrackerCreateIssueInput): Promise<TrackerIssue>;
  updateIssue(ref: TrackerIssueRef, change: TrackerUpdateIssueInput): Promise<TrackerIssue>;
  listComments(ref: TrackerIssueRef, query?: { cursor?: string; limit?: number }): Promise<TrackerPage<TrackerComment>>;
  addComment(ref: TrackerIssueRef, body: string): Promise<TrackerComment>;
  updateComment(ref: TrackerIssueRef, commentId: string, body: string): Promise<TrackerComment>;
  /** Present on trackers with pull/merge requests. */
  pullRequests?: TrackerPullRequests;
}

/** What {@link Tracker.connect} receives. */
export interface TrackerConnectInput<Settings = Record<string, unknown>> {
  /** The connection's settings, already validated by {@link Tracker.settingsSchema}. */
  settings: Settings;
  /** The connection's secrets by name (from the secret store), already validated by {@link Tracker.secretsSchema}. */
  secrets: Record<string, string>;
  /** The fetch to use (tests and proxies pass their own). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A webhook delivery as the kernel received it, before anything is parsed. */
export interface TrackerWebhookDelivery {
  headers: Headers;
  /** The exact bytes received (signatures are over these). */
  rawBody: Uint8Array;
}

/** The kinds of tracker events. */
export const trackerEventTypes = [
  'issue.opened',
  'issue.edited',
  'issue.closed',
  'issue.reopened',
  'issue.labeled',
  'issue.unlabeled',
  'issue.assigned',
  'comment.created',
  'comment.edited',
  'pull_request.opened',
  'pull_request.edited',
  'pull_request.closed',
  'pull_request.merged',
  'pull_request.reopened',
] as const;

/** One kind of tracker event. */
export type TrackerEventType = (typeof trackerEventTypes)[number];

/** What a tracker's webhook parser makes of a delivery; the kernel adds where it came from. */
export interface TrackerEventInput {
  type: TrackerEventType;
  /** The project key. */
  project: string;
  issue: TrackerIssue | null;
  pullRequest: TrackerPullRequest | null;
  comment: TrackerComment | null;
  /** For `issue.labeled` / `issue.unlabeled`: the label. */
  label: string | null;
  /** Who did it (login), when the tracker says. */
  actor: string | null;
  /**
   * True when the event's `issue` or `pullRequest` is not the whole item: the
   * tracker's event leaves fields out (Jira's comment events send no
   * description or labels, GitLab's hooks no author of an item they did not
   * open). Its empty fields (empty title or body, no labels or assignees, a
   * null author) then mean "not sent", not "empty": the issue store reads the
   * item again through the connection's client before writing it, and, when
   * the tracker cannot be reached, never overwrites stored fields with them.
   * @default false (the item is whole)
   */
  partial?: boolean;
}

/**
 * A verified, deduplicated tracker event, as the kernel publishes it (the
 * kernel event `tracker-event`), for flows and the issue store to act on.
 */
export interface TrackerEvent extends TrackerEventInput {
  accountId: string;
  /** The tracker connection the delivery came in for. */
  connectionId: string;
  /** The tracker's id (`github`, `gitlab`, `jira`). */
  tracker: string;
  /** The delivery's id (GitHub `X-GitHub-Delivery`, GitLab `X-Gitlab-Event-UUID`, Jira's webhook identifier). */
  deliveryId: string;
  /** Epoch milliseconds. */
  receivedAt: number;
}

/** How a tracker's webhooks are verified and read. */
export interface TrackerWebhooks {
  /**
   * True when the delivery is authentic for `secret` (GitHub's
   * `X-Hub-Signature-256`, GitLab's `X-Gitlab-Token`, Jira's signature).
   * Called before anything is parsed; must compare in constant time.
   */
  verify(delivery: TrackerWebhookDelivery, secret: string): boolean | Promise<boolean>;
  /** The delivery's unique id, for deduplication; null when the tracker sends none. */
  deliveryId(delivery: TrackerWebhookDelivery): string | null;
  /** The events a verified delivery carries (none for kinds we do not map, such as a ping). */
  parse(delivery: TrackerWebhookDelivery): TrackerEventInput[];
}

/**
 * A tracker (contract version 1), contributed by a plugin through
 * `contributions.trackers`. Connections name it by `id`.
 */
export interface Tracker<Settings = Record<string, unknown>> {
  /** Unique among installed trackers, for example `github`, `gitlab` or `jira`. */
  id: string;
  /** The contract version implemented: 1. */
  version: 1;
  /** Shown in the console, for example `GitHub`. */
  displayName: string;
  /** The connection's settings that are not secret (base URL, app id, owner…), validated at connect time. */
  settingsSchema: z.ZodType<Settings>;
  /** The connection's secrets (a token, a private key, the webhook secret…), kept in the secret store. */
  secretsSchema: z.ZodType<Record<string, string>>;
  /** True when the tracker has pull/merge requests (its client has `pullRequests`). */
  pullRequests: boolean;
  /** Builds a client for one connection. */
  connect(input: TrackerConnectInput<Settings>): TrackerClient | Promise<TrackerClient>;
  webhooks: TrackerWebhooks;
}

/**
 * True when `value` implements the tracker contract (version 1).
 *
 * @example
 * ```ts
 * isTracker(github()); // true
 * ```
 */
export function isTracker(value: unknown): value is Tracker {
  return findTrackerProblems(value).length === 0;
}

/**
 * What keeps `value` from implementing the tracker contract (version 1), one
 * sentence per problem; empty when it is a tracker.
 *
 * @example
 * ```ts
 * findTrackerProblems({ id: 'github', version: 2 });
 * // ['"version" must be 1 (got 2)', '"displayName" must be a non-empty string (got undefined)', …]
 * ```
 */
export function findTrackerProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null)
    return [
      `must be an object ({ id, version: 1, displayName, settingsSchema, secretsSchema, pullRequests, connect, webhooks }), not ${describeValue(value)}`,
    ];
  const candidate = value as Partial<Record<keyof Tracker, unknown>>;
  const problems: string[] = [];
  for (const name of ['id', 'displayName'] as const) {
    const field = candidate[name];
    if (typeof field !== 'string' || field.length === 0)
      problems.push(`"${name}" must be a non-empty string (got ${describeValue(field)})`);
  }
  if (candidate.version !== trackerContractVersion)
    problems.push(`"version" must be ${trackerContractVersion} (got ${describeValue(candidate.version)})`);
  for (const name of ['settingsSchema', 'secretsSchema'] as const) {
    const schema = candidate[name] as { safeParse?: unknown } | undefined;
    if (typeof schema?.safeParse !== 'function') problems.push(`"${name}" must be a zod schema (got ${describeValue(schema)})`);
  }
  if (typeof candidate.pullRequests !== 'boolean')
    problems.push(`"pullRequests" must be a boolean (got ${describeValue(candidate.pullRequests)})`);
  if (typeof candidate.connect !== 'function') problems.push(`"connect" must be a function`);
  const webhooks = candidate.webhooks as Partial<Record<keyof TrackerWebhooks, unknown>> | undefined;
  if (typeof webhooks !== 'object' || webhooks === null) problems.push(`"webhooks" must be an object ({ verify, deliveryId, parse })`);
  else
    for (const name of ['verify', 'deliveryId', 'parse'] as const)
      if (typeof webhooks[name] !== 'function') problems.push(`"webhooks.${name}" must be a function`);
  return problems;
}
