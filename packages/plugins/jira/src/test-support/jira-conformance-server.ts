/**
 * The Jira stub as the tracker conformance suite's server: Cloud (email + API
 * token) or Data Center (personal access token), the projects `API` (the
 * suite's), `WEB` and `PROD`, failures in Jira's wire format, and documented
 * example deliveries signed as Jira signs admin webhooks with a secret.
 */
import type { TrackerWebhookDelivery } from '@preloop/core';
import type { TrackerConformanceDelivery, TrackerConformanceFailure, TrackerTestServer } from '@preloop/core/testing';
import { type JiraStub, startJiraStub } from './jira-stub.js';

/** The conformance server over a Jira stub (the stub is `stub`). */
export interface JiraConformanceServer extends TrackerTestServer {
  stub: JiraStub;
}

function toDelivery({ headers, body }: { headers: Record<string, string>; body: string }): TrackerWebhookDelivery {
  return { headers: new Headers(headers), rawBody: new TextEncoder().encode(body) };
}

/**
 * The documented example deliveries for project `WEB` (`jira:issue_created`,
 * `jira:issue_updated` with a labels, a summary and a status changelog,
 * `comment_created`, `comment_updated`, and `jira:issue_deleted`, which maps
 * to no event), built from the stub's JSON and signed with `secret`.
 */
export function jiraExampleDeliveries(stub: JiraStub, secret: string): TrackerConformanceDelivery[] {
  const issue = stub.addIssue({
    project: 'WEB',
    summary: 'Checkout button does nothing',
    description: 'Click it: nothing happens.',
    labels: ['ui'],
  });
  const user = stub.userJson(stub.users[1]!);
  const issueJson = stub.issueJson(issue, '2');
  const doneJson = {
    ...issueJson,
    fields: { ...issueJson.fields, status: { name: 'Done', id: '10001', statusCategory: { id: 3, key: 'done', name: 'Done' } } },
  };
  const now = issue.updated;
  const comment = { id: '10040', author: stub.users[1]!, body: 'Reproduced in Firefox.', created: now, updated: now };
  const commentJson = stub.commentJson(comment, issue, '2');
  const item = (field: string, before: string | null, after: string | null) => ({
    field,
    fieldtype: 'jira',
    fieldId: field,
    from: null,
    fromString: before,
    to: null,
    toString: after,
  });
  const sign = (body: Record<string, unknown>) => toDelivery(stub.webhookDelivery(body, secret));
  const key = issue.key;
  return [
    {
      name: 'jira:issue_created',
      delivery: sign({ webhookEvent: 'jira:issue_created', issue_event_type_name: 'issue_created', user, issue: issueJson }),
      events: [{ type: 'issue.opened', project: 'WEB', number: key }],
    },
    {
      name: 'jira:issue_updated (summary)',
      delivery: sign({
        webhookEvent: 'jira:issue_updated',
        issue_event_type_name: 'issue_updated',
        user,
        issue: issueJson,
        changelog: { id: '10101', items: [item('summary', 'Checkout', issue.summary)] },
      }),
      events: [{ type: 'issue.edited', project: 'WEB', number: key }],
    },
    {
      name: 'jira:issue_updated (labels)',
      delivery: sign({
        webhookEvent: 'jira:issue_updated',
        issue_event_type_name: 'issue_updated',
        user,
        issue: { ...issueJson, fields: { ...issueJson.fields, labels: ['ui', 'checkout'] } },
        changelog: { id: '10102', items: [item('labels', 'ui', 'checkout ui')] },
      }),
      events: [{ type: 'issue.labeled', project: 'WEB', number: key }],
    },
    {
      name: 'jira:issue_updated (status to Done)',
      delivery: sign({
        webhookEvent: 'jira:issue_updated',
        issue_event_type_name: 'issue_generic',
        user,
        issue: doneJson,
        changelog: {
          id: '10103',
          items: [
            { ...item('status', 'To Do', 'Done'), from: '10000', to: '10001' },
            { ...item('resolution', null, 'Done'), to: '10000' },
          ],
        },
      }),
      events: [{ type: 'issue.closed', project: 'WEB', number: key }],
    },
    {
      name: 'comment_created',
      delivery: sign({
        webhookEvent: 'comment_created',
        comment: commentJson,
        issue: {
          id: issueJson.id,
          self: issueJson.self,
          key,
          fields: { summary: issue.summary, project: issueJson.fields.project, status: issueJson.fields.status },
        },
      }),
      events: [{ type: 'comment.created', project: 'WEB', number: key }],
    },
    {
      name: 'comment_updated',
      delivery: sign({
        webhookEvent: 'comment_updated',
        comment: { ...commentJson, body: 'Reproduced in Firefox 130.' },
        issue: {
          id: issueJson.id,
          self: issueJson.self,
          key,
          fields: { summary: issue.summary, project: issueJson.fields.project, status: issueJson.fields.status },
        },
      }),
      events: [{ type: 'comment.edited', project: 'WEB', number: key }],
    },
    {
      name: 'jira:issue_deleted',
      delivery: sign({ webhookEvent: 'jira:issue_deleted', issue_event_type_name: 'issue_deleted', user, issue: issueJson }),
      events: [],
    },
  ];
}

/**
 * Starts a Jira stub ready for `trackerConformance`.
 *
 * @example
 * ```ts
 * trackerConformance({ tracker: jiraTracker, server: () => startJiraConformanceServer() });
 * ```
 */
export async function startJiraConformanceServer(
  options: { deployment?: 'cloud' | 'datacenter'; pathPrefix?: string } = {},
): Promise<JiraConformanceServer> {
  const cloud = (options.deployment ?? 'cloud') === 'cloud';
  const stub = await startJiraStub({
    deployment: options.deployment ?? 'cloud',
    ...(options.pathPrefix ? { pathPrefix: options.pathPrefix } : {}),
  });
  for (const key of ['API', 'WEB', 'PROD']) stub.addProject(key);
  const failures: Record<TrackerConformanceFailure, [number, Record<string, string>, unknown]> = {
    forbidden: [403, {}, { errorMessages: ['You do not have the permission to see the specified issue.'], errors: {} }],
    'rate-limited': [429, { 'retry-after': '12' }, { errorMessages: ['Rate limit exceeded.'], errors: {} }],
    unavailable: [503, { 'content-type': 'text/html' }, '<html><body>Service Unavailable</body></html>'],
  };
  return {
    stub,
    settings: cloud ? { baseUrl: stub.url } : { baseUrl: stub.url, deployment: 'datacenter' },
    secrets: cloud ? { email: stub.credentials.email, apiToken: stub.credentials.apiToken } : { token: stub.credentials.token },
    project: 'API',
    failNext: (failure) => stub.failNext(...failures[failure]),
    webhookExamples: (secret) => jiraExampleDeliveries(stub, secret),
    withoutSignature(original) {
      const headers = new Headers(original.headers);
      headers.delete('x-hub-signature');
      return { headers, rawBody: original.rawBody };
    },
    close: () => stub.close(),
  };
}
