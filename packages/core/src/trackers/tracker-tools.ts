/**
 * The MCP tools of a tracker connection: `<connection>.get_issue`,
 * `search_issues`, `create_issue`, `update_issue`, `add_comment`,
 * `update_comment` and, on trackers with pull/merge requests,
 * `get_pull_request`, `create_pull_request`, `update_pull_request`. They are
 * ordinary tools to the governed pipeline: policy sees their arguments
 * (`args.project`, `args.labels`…), approvals bind to them, the audit records
 * them. Tools that answer with what outsiders wrote (issue bodies, comments)
 * are `untrusted`: their results taint the runtime session.
 *
 * @module
 */

import { z } from 'zod';
import type { ToolContribution, ToolResult } from '../contracts/tool.js';
import type { Tracker, TrackerClient, TrackerComment, TrackerIssue, TrackerPullRequest } from '../contracts/tracker.js';
import { PreloopError, isPreloopError } from '../errors.js';
import { formatPath } from '../api/validate.js';
import type { ToolSource } from '../tools/tool-sources.js';
import type { TrackerConnection, TrackerConnections } from './tracker-connections.js';

const project = z.string().min(1).max(300).describe('The project: `owner/repo` (GitHub), `group/project` (GitLab), `PROJ` (Jira).');
const number = z
  .union([z.string().min(1).max(50), z.number().int().positive()])
  .transform(String)
  .describe('The issue or pull request number in the project (`12`; on Jira `PROJ-12`).');
const labels = z.array(z.string().min(1).max(100)).max(50);
const assignees = z.array(z.string().min(1).max(100)).max(20).describe('Logins (GitHub/GitLab usernames, Jira account ids).');
const body = z.string().max(65_536);

const schemas = {
  get_issue: z.strictObject({ project, number }),
  search_issues: z.strictObject({
    project: project.optional(),
    text: z.string().max(500).optional().describe('Free text, in the tracker’s own search.'),
    state: z.enum(['open', 'closed', 'all']).optional().describe('Default `open`.'),
    labels: labels.optional(),
    assignee: z.string().min(1).max(100).optional(),
    cursor: z.string().max(500).optional().describe('`nextCursor` of the previous page.'),
    limit: z.number().int().min(1).max(100).optional().describe('Default 30.'),
  }),
  create_issue: z.strictObject({
    project,
    title: z.string().min(1).max(500),
    body: body.optional(),
    labels: labels.optional(),
    assignees: assignees.optional(),
  }),
  update_issue: z.strictObject({
    project,
    number,
    title: z.string().min(1).max(500).optional(),
    body: body.optional(),
    state: z.enum(['open', 'closed']).optional(),
    labels: labels.optional().describe('Replaces the labels.'),
    assignees: assignees.optional().describe('Replaces the assignees.'),
  }),
  add_comment: z.strictObject({ project, number, body: body.min(1) }),
  update_comment: z.strictObject({ project, number, commentId: z.string().min(1).max(100), body: body.min(1) }),
  get_pull_request: z.strictObject({ project, number }),
  create_pull_request: z.strictObject({
    project,
    title: z.string().min(1).max(500),
    body: body.optional(),
    sourceBranch: z.string().min(1).max(255),
    targetBranch: z.string().min(1).max(255),
    draft: z.boolean().optional(),
  }),
  update_pull_request: z.strictObject({
    project,
    number,
    title: z.string().min(1).max(500).optional(),
    body: body.optional(),
    state: z.enum(['open', 'closed']).optional(),
    targetBranch: z.string().min(1).max(255).optional(),
  }),
};

/** The names of a tracker connection's tools (without the `<connection>.` prefix). */
export type TrackerToolName = keyof typeof schemas;

/** The tracker tools that only read. */
export const readOnlyTrackerTools: readonly TrackerToolName[] = ['get_issue', 'search_issues', 'get_pull_request'];

const untrustedTools = new Set<TrackerToolName>(['get_issue', 'search_issues', 'update_issue', 'get_pull_request', 'update_pull_request']);

const descriptions: Record<TrackerToolName, string> = {
  get_issue: 'Get one issue (title, body, state, labels, assignees).',
  search_issues: 'Search issues by text, project, state, labels and assignee; paged.',
  create_issue: 'Create an issue.',
  update_issue: 'Change an issue: title, body, state, labels or assignees (only the fields given).',
  add_comment: 'Comment on an issue or pull request.',
  update_comment: 'Edit a comment.',
  get_pull_request: 'Get one pull request.',
  create_pull_request: 'Open a pull request from a source branch into a target branch.',
  update_pull_request: 'Change a pull request: title, body, state or target branch.',
};

const withoutRaw = <T extends { raw: unknown }>(value: T): Omit<T, 'raw'> => {
  const { raw: _raw, ...rest } = value;
  return rest;
};

const answer = (value: Record<string, unknown>): ToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value,
});

const failure = (message: string): ToolResult => ({ content: [{ type: 'text', text: message }], isError: true });

type Run = (client: TrackerClient, args: any) => Promise<Record<string, unknown>>;

const pulls = (client: TrackerClient) => {
  if (!client.pullRequests) throw new PreloopError('TRACKER_INVALID_INPUT', 'This tracker has no pull requests.', { status: 400 });
  return client.pullRequests;
};
const issue = (value: TrackerIssue) => withoutRaw(value);
const pull = (value: TrackerPullRequest) => withoutRaw(value);
const comment = (value: TrackerComment) => withoutRaw(value);

const runs: Record<TrackerToolName, Run> = {
  get_issue: async (client, args) => issue(await client.getIssue(args)),
  search_issues: async (client, args) => {
    const page = await client.searchIssues(args);
    return { items: page.items.map(issue), nextCursor: page.nextCursor };
  },
  create_issue: async (client, args) => issue(await client.createIssue(args)),
  update_issue: async (client, { project, number, ...change }) => issue(await client.updateIssue({ project, number }, change)),
  add_comment: async (client, { project, number, body }) => comment(await client.addComment({ project, number }, body)),
  update_comment: async (client, { project, number, commentId, body }) =>
    comment(await client.updateComment({ project, number }, commentId, body)),
  get_pull_request: async (client, args) => pull(await pulls(client).get(args)),
  create_pull_request: async (client, args) => pull(await pulls(client).create(args)),
  update_pull_request: async (client, { project, number, ...change }) => pull(await pulls(client).update({ project, number }, change)),
};

/**
 * The tools of one tracker connection, each named `<connection name>.<tool>`.
 *
 * @example
 * ```ts
 * const tools = trackerTools(connection, tracker, () => preloop.trackers.client(accountId, connection.id));
 * tools.map((tool) => tool.name); // ['acme-github.get_issue', …]
 * ```
 */
export function trackerTools(
  connection: TrackerConnection,
  tracker: Tracker<any>,
  client: () => Promise<TrackerClient>,
): ToolContribution[] {
  const names = (Object.keys(schemas) as TrackerToolName[]).filter((name) => tracker.pullRequests || !name.includes('pull_request'));
  return names.map((name) => {
    const schema = schemas[name];
    const readOnly = readOnlyTrackerTools.includes(name);
    return {
      name: `${connection.name}.${name}`,
      description: `${descriptions[name]} (${tracker.displayName}: ${connection.name})`,
      inputSchema: z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>,
      readOnly,
      untrusted: untrustedTools.has(name),
      annotations: {
        readOnlyHint: readOnly,
        destructiveHint: false,
        openWorldHint: true,
        title: `${tracker.displayName} ${name.replace(/_/g, ' ')}`,
      },
      async call(args) {
        const parsed = schema.safeParse(args);
        if (!parsed.success)
          return failure(
            `Invalid arguments: ${parsed.error.issues.map((issue) => `${formatPath(issue.path) || '(arguments)'}: ${issue.message}`).join('; ')}`,
          );
        try {
          return answer(await runs[name](await client(), parsed.data));
        } catch (error) {
          if (isPreloopError(error) && error.code.startsWith('TRACKER_')) return failure(`${error.code}: ${error.message}`);
          throw error;
        }
      },
    } satisfies ToolContribution;
  });
}

/**
 * The tool source of every tracker connection of an account (registered on
 * `preloop.toolSources` by the kernel).
 *
 * @example
 * ```ts
 * preloop.toolSources.add(trackerToolSource(preloop.trackers));
 * ```
 */
export function trackerToolSource(trackers: TrackerConnections): ToolSource {
  return {
    id: 'trackers',
    async list(accountId) {
      const connections = await trackers.list(accountId);
      return connections.flatMap((connection) => {
        const tracker = trackers.installed.find((candidate) => candidate.id === connection.tracker);
        return tracker ? trackerTools(connection, tracker, () => trackers.client(accountId, connection.id)) : [];
      });
    },
  };
}
