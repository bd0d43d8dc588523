import { z } from 'zod';
import { defineRoute, type AdminRoute, type SchemaAgrees } from '../../api/define-route.js';
import { pageOf } from '../../api/route-contract.js';
import { PreloopError } from '../../errors.js';
import type { Principal } from '../../identity/principal.js';
import { pageQueryShape } from '../../pagination/cursor-pagination.js';
import type { SimilarIssues } from './issue-similarity.js';
import type { ProjectSyncStatus, SyncStatus } from './issue-sync.js';
import type { StoredComment, StoredIssue, StoredIssueDetail } from './issue-tables.js';

const text = (max: number) => z.string().trim().min(1).max(max);

/** An issue or pull request of the unified view. */
export const storedIssueSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  tracker: z.string(),
  kind: z.enum(['issue', 'pull_request']),
  project: z.string(),
  number: z.string(),
  sourceId: z.string(),
  key: z.string(),
  title: z.string(),
  body: z.string(),
  state: z.enum(['open', 'closed', 'merged']),
  labels: z.array(z.string()),
  assignees: z.array(z.string()),
  author: z.string().nullable(),
  url: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  closedAt: z.number().nullable(),
  mergedAt: z.number().nullable(),
  draft: z.boolean(),
  sourceBranch: z.string().nullable(),
  targetBranch: z.string().nullable(),
  syncedAt: z.number(),
});

/** A comment of a stored issue. */
export const storedCommentSchema = z.object({
  id: z.string(),
  issueId: z.string(),
  sourceId: z.string(),
  body: z.string(),
  author: z.string().nullable(),
  url: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/** `GET /issues/:id`: the issue, its comments, linked pull requests and the tracker's object. */
export const issueDetailSchema = storedIssueSchema.extend({
  comments: z.array(storedCommentSchema),
  linkedPullRequests: z.array(storedIssueSchema),
  commentsSyncedAt: z.number().nullable(),
  raw: z.unknown(),
});

/** `GET /issues/:id/similar`. */
export const similarIssuesSchema = z.union([
  z.object({ available: z.literal(true), model: z.string(), items: z.array(z.object({ issue: storedIssueSchema, score: z.number() })) }),
  z.object({ available: z.literal(false), reason: z.string(), items: z.tuple([]) }),
]);

/** One project's sync. */
export const projectSyncStatusSchema = z.object({
  project: z.string(),
  status: z.enum(['importing', 'waiting', 'done', 'failed']),
  imported: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  lastSyncedAt: z.number().nullable(),
  retryAt: z.number().nullable(),
  error: z.string().nullable(),
});

/** `GET`/`POST /trackers/connections/:id/sync`. */
export const syncStatusSchema = z.object({ connectionId: z.string(), running: z.boolean(), projects: z.array(projectSyncStatusSchema) });

true satisfies SchemaAgrees<typeof storedIssueSchema, StoredIssue>;
true satisfies SchemaAgrees<typeof storedCommentSchema, StoredComment>;
true satisfies SchemaAgrees<typeof issueDetailSchema, StoredIssueDetail>;
true satisfies SchemaAgrees<typeof projectSyncStatusSchema, ProjectSyncStatus>;
true satisfies SchemaAgrees<typeof syncStatusSchema, SyncStatus>;
true satisfies SchemaAgrees<typeof similarIssuesSchema, SimilarIssues>;

/** Query of `GET /issues`. */
export const issueListQuery = z.strictObject({
  tracker: text(64).optional(),
  connectionId: text(100).optional(),
  project: text(300).optional(),
  state: z.enum(['open', 'closed', 'merged', 'all']).default('open'),
  label: text(200).optional(),
  assignee: text(200).optional(),
  text: text(500).optional().describe('Words (stemmed, all must match), "a phrase", a or b, -excluded'),
  kind: z.enum(['issue', 'pull_request', 'all']).default('issue'),
  sort: z.enum(['updated', 'created', 'relevance']).optional().describe('Default: relevance with text, else updated (newest first)'),
  ...pageQueryShape,
});

/** Body of `POST /issues`. */
export const createIssueBody = z.strictObject({
  connectionId: text(100),
  project: text(300),
  title: text(256),
  body: z.string().max(65_536).optional(),
  labels: z.array(text(100)).max(50).optional(),
  assignees: z.array(text(100)).max(20).optional(),
});

/** Body of `POST /issues/:id/comments`. */
export const createCommentBody = z.strictObject({ body: text(65_536) });

/** Body of `POST /trackers/connections/:id/sync` (optional): the projects to import; default the connection's `settings.projects`, else all it lists. */
export const startSyncBody = z.strictObject({ projects: z.array(text(300)).min(1).max(100).optional() }).optional();

/** Query of `GET /issues/:id/similar`. */
export const similarIssuesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(5),
  minScore: z.coerce.number().min(-1).max(1).default(0.8),
});

function principalOf(principal: Principal | null): Principal {
  if (!principal) throw new PreloopError('UNAUTHENTICATED', 'Authentication required.');
  return principal;
}

/**
 * The unified issue view's routes: search the synced issues, read one with its
 * comments and linked pull requests, similar issues, create and comment
 * through a connection (audited as the caller), and start or read a
 * connection's sync.
 */
export const issueRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/issues',
    summary: 'Search synced issues across trackers (filters, full-text, sort, cursor)',
    tag: 'issues',
    access: { role: 'viewer' },
    query: issueListQuery,
    response: pageOf(storedIssueSchema),
    handler: ({ preloop, principal, query }) => preloop.issues.store.search(principalOf(principal).accountId, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/issues',
    summary: 'Create an issue through a tracker connection (audited as the caller) and store it',
    tag: 'issues',
    access: { role: 'approver' },
    body: createIssueBody,
    status: 201,
    response: storedIssueSchema,
    errors: [403, 404, 429, 502, 503],
    handler: ({ preloop, principal, body }) => preloop.issues.create(principalOf(principal), body),
  }),
  defineRoute({
    method: 'GET',
    path: '/issues/:id',
    summary: 'A synced issue with its comments and linked pull requests',
    tag: 'issues',
    access: { role: 'viewer' },
    response: issueDetailSchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.issues.get(principalOf(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'GET',
    path: '/issues/:id/similar',
    summary: 'Issues of the same project similar to this one (embeddings through the gateway), or why none can be computed',
    tag: 'issues',
    access: { role: 'viewer' },
    query: similarIssuesQuery,
    response: similarIssuesSchema,
    errors: [404],
    handler: ({ preloop, principal, params, query }) =>
      preloop.issues.similarity.similar(principalOf(principal).accountId, params.id!, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/issues/:id/comments',
    summary: 'Comment on an issue through its connection (audited as the caller)',
    tag: 'issues',
    access: { role: 'approver' },
    body: createCommentBody,
    status: 201,
    response: storedCommentSchema,
    errors: [403, 404, 429, 502, 503],
    handler: ({ preloop, principal, params, body }) => preloop.issues.comment(principalOf(principal), params.id!, body.body),
  }),
  defineRoute({
    method: 'POST',
    path: '/trackers/connections/:id/sync',
    summary: "Start or resume a connection's issue import; answers its progress",
    tag: 'issues',
    access: { role: 'admin' },
    body: startSyncBody,
    status: 202,
    response: syncStatusSchema,
    errors: [404, 409],
    handler: ({ preloop, principal, params, body }) =>
      preloop.issues.sync.start(principalOf(principal).accountId, params.id!, body?.projects),
  }),
  defineRoute({
    method: 'GET',
    path: '/trackers/connections/:id/sync',
    summary: "A connection's sync progress, per project",
    tag: 'issues',
    access: { role: 'viewer' },
    response: syncStatusSchema,
    errors: [404],
    async handler({ preloop, principal, params }) {
      const accountId = principalOf(principal).accountId;
      await preloop.trackers.get(accountId, params.id!);
      return preloop.issues.sync.status(accountId, params.id!);
    },
  }),
];
