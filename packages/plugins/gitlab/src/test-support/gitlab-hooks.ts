/**
 * GitLab webhook deliveries shaped like GitLab's documented examples
 * ("Webhook events": Issue, Note and Merge Request events), built from the
 * stub's REST objects, and the headers GitLab sends with them.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** The `changes` of an Issue or Merge Request Hook, by field. */
export type StubHookChanges = Record<string, { previous: unknown; current: unknown }>;

type Json = Record<string, any>;

/** GitLab's older webhook time format (`2017-09-15 16:50:55 UTC`), used in `changes`. */
const hookTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

function labelObject(title: string, project: Json): Json {
  return {
    id: title.length * 31,
    title,
    color: '#6699cc',
    project_id: project.id,
    created_at: '2025-12-01 09:00:00 UTC',
    updated_at: '2025-12-01 09:00:00 UTC',
    template: false,
    description: null,
    type: 'ProjectLabel',
    group_id: null,
  };
}

function hookUser(user: Json): Json {
  return { id: user.id, name: user.name, username: user.username, avatar_url: null, email: '[REDACTED]' };
}

function hookProject(project: Json): Json {
  const host = String(project.web_url)
    .replace(/\/[^/]+\/[^/]+$/, '')
    .replace(/^https?:\/\//, '');
  return {
    id: project.id,
    name: project.name,
    description: '',
    web_url: project.web_url,
    avatar_url: null,
    git_ssh_url: `git@${host}:${project.path_with_namespace}.git`,
    git_http_url: `${project.web_url}.git`,
    namespace: String(project.path_with_namespace).split('/').slice(0, -1).join('/'),
    visibility_level: 0,
    path_with_namespace: project.path_with_namespace,
    default_branch: 'main',
    ci_config_path: null,
    homepage: project.web_url,
    url: `git@${host}:${project.path_with_namespace}.git`,
    ssh_url: `git@${host}:${project.path_with_namespace}.git`,
    http_url: `${project.web_url}.git`,
  };
}

function hookChanges(changes: StubHookChanges, project: Json): Json {
  const result: Json = {};
  for (const [field, { previous, current }] of Object.entries(changes)) {
    if (field === 'labels')
      result.labels = {
        previous: (previous as string[]).map((title) => labelObject(title, project)),
        current: (current as string[]).map((title) => labelObject(title, project)),
      };
    else if (field === 'assignees')
      result.assignees = { previous: (previous as Json[]).map(hookUser), current: (current as Json[]).map(hookUser) };
    else if (field === 'updated_at')
      result.updated_at = { previous: previous === null ? null : hookTime(String(previous)), current: hookTime(String(current)) };
    else result[field] = { previous, current };
  }
  return result;
}

/** The issue's attributes as Issue Hooks (and Note Hooks' `issue`) show them. */
function issueAttributes(issue: Json, project: Json, withUrl: boolean): Json {
  return {
    author_id: issue.author.id,
    closed_at: issue.closed_at,
    confidential: false,
    created_at: issue.created_at,
    description: issue.description,
    discussion_locked: null,
    due_date: null,
    id: issue.id,
    iid: issue.iid,
    last_edited_at: null,
    last_edited_by_id: null,
    milestone_id: null,
    moved_to_id: null,
    duplicated_to_id: null,
    project_id: project.id,
    relative_position: 0,
    state_id: issue.state === 'opened' ? 1 : 2,
    time_estimate: 0,
    title: issue.title,
    updated_at: issue.updated_at,
    updated_by_id: null,
    type: 'Issue',
    ...(withUrl ? { url: issue.web_url } : {}),
    total_time_spent: 0,
    human_total_time_spent: null,
    human_time_estimate: null,
    assignee_ids: issue.assignees.map((user: Json) => user.id),
    assignee_id: issue.assignees[0]?.id ?? null,
    labels: issue.labels.map((title: string) => labelObject(title, project)),
    state: issue.state,
    severity: 'unknown',
    customer_relations_contacts: [],
  };
}

function mergeRequestAttributes(mergeRequest: Json, project: Json): Json {
  return {
    id: mergeRequest.id,
    iid: mergeRequest.iid,
    target_branch: mergeRequest.target_branch,
    source_branch: mergeRequest.source_branch,
    source_project_id: project.id,
    author_id: mergeRequest.author.id,
    assignee_ids: mergeRequest.assignees.map((user: Json) => user.id),
    assignee_id: mergeRequest.assignees[0]?.id ?? null,
    reviewer_ids: [],
    title: mergeRequest.title,
    created_at: mergeRequest.created_at,
    updated_at: mergeRequest.updated_at,
    last_edited_at: null,
    last_edited_by_id: null,
    milestone_id: null,
    state_id: mergeRequest.state === 'opened' ? 1 : mergeRequest.state === 'closed' ? 2 : 3,
    state: mergeRequest.state,
    blocking_discussions_resolved: true,
    work_in_progress: mergeRequest.draft,
    draft: mergeRequest.draft,
    first_contribution: false,
    merge_status: 'can_be_merged',
    target_project_id: project.id,
    description: mergeRequest.description,
    total_time_spent: 0,
    url: mergeRequest.web_url,
    source: hookProject(project),
    target: hookProject(project),
    last_commit: {
      id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      message: 'fixed readme',
      title: 'fixed readme',
      timestamp: '2025-12-01T09:00:00+00:00',
      url: `${project.web_url}/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7`,
      author: { name: 'GitLab dev user', email: '[REDACTED]' },
    },
    labels: mergeRequest.labels.map((title: string) => labelObject(title, project)),
    detailed_merge_status: 'mergeable',
  };
}

/**
 * An Issue Hook body (`object_kind: "issue"`) for an issue as the REST API shows it.
 *
 * @example
 * ```ts
 * issueHook(issueJson, projectJson, user, 'update', { labels: { previous: [], current: ['bug'] } });
 * ```
 */
export function issueHook(issue: Json, project: Json, user: Json, action: string, changes: StubHookChanges): Json {
  const attributes: Json = { ...issueAttributes(issue, project, true), action };
  return {
    object_kind: 'issue',
    event_type: 'issue',
    user: hookUser(user),
    project: hookProject(project),
    object_attributes: attributes,
    repository: { name: project.name, url: hookProject(project).url, description: '', homepage: project.web_url },
    assignees: issue.assignees.map(hookUser),
    assignee: issue.assignees[0] ? hookUser(issue.assignees[0]) : null,
    labels: attributes.labels,
    changes: hookChanges(changes, project),
  };
}

/** A Merge Request Hook body (`object_kind: "merge_request"`). */
export function mergeRequestHook(mergeRequest: Json, project: Json, user: Json, action: string, changes: StubHookChanges): Json {
  const attributes: Json = { ...mergeRequestAttributes(mergeRequest, project), action };
  return {
    object_kind: 'merge_request',
    event_type: 'merge_request',
    user: hookUser(user),
    project: hookProject(project),
    object_attributes: attributes,
    labels: attributes.labels,
    changes: hookChanges(changes, project),
    repository: { name: project.name, url: hookProject(project).url, description: '', homepage: project.web_url },
    assignees: mergeRequest.assignees.map(hookUser),
    reviewers: [],
  };
}

/** A Note Hook body (`object_kind: "note"`) for a comment on an issue or a merge request. */
export function noteHook(
  note: Json,
  target: Json,
  project: Json,
  user: Json,
  noteableType: 'Issue' | 'MergeRequest',
  action: 'create' | 'update',
): Json {
  return {
    object_kind: 'note',
    event_type: 'note',
    user: hookUser(user),
    project_id: project.id,
    project: hookProject(project),
    object_attributes: {
      attachment: null,
      author_id: note.author.id,
      change_position: null,
      commit_id: null,
      created_at: note.created_at,
      discussion_id: '7da5fd5b4c3d8ec9f0fb29fd3e4c4fbd93c3b6a5',
      id: note.id,
      line_code: null,
      note: note.body,
      noteable_id: target.id,
      noteable_type: noteableType,
      original_position: null,
      position: null,
      project_id: project.id,
      resolved_at: null,
      resolved_by_id: null,
      st_diff: null,
      system: note.system,
      type: null,
      updated_at: note.updated_at,
      updated_by_id: null,
      description: note.body,
      url: `${target.web_url}#note_${note.id}`,
      action,
    },
    repository: { name: project.name, url: hookProject(project).url, description: '', homepage: project.web_url },
    ...(noteableType === 'Issue'
      ? { issue: issueAttributes(target, project, false) }
      : { merge_request: mergeRequestAttributes(target, project) }),
  };
}

/**
 * The headers GitLab sends with a webhook: `X-Gitlab-Event`, the secret token
 * in `X-Gitlab-Token`, `X-Gitlab-Event-UUID`, `X-Gitlab-Webhook-UUID`,
 * `Idempotency-Key` and `X-Gitlab-Instance`; with `signingToken` (and the
 * exact body) also `webhook-id`, `webhook-timestamp` and `webhook-signature`,
 * as GitLab signs with a signing token (the stub's own HMAC, independent of
 * the plugin's).
 */
export function gitlabHookHeaders(
  event: string,
  secret: string | null,
  instance = 'https://gitlab.example.com',
  signing?: { signingToken: string; body: string; timestamp?: number },
): Record<string, string> {
  const idempotencyKey = randomUUID();
  const signed: Record<string, string> = {};
  if (signing) {
    const timestamp = String(signing.timestamp ?? Math.floor(Date.now() / 1000));
    // GitLab's signing tokens are `whsec_<base64 key>`; any other secret is taken as the key's bytes.
    const key = signing.signingToken.startsWith('whsec_')
      ? Buffer.from(signing.signingToken.slice(6), 'base64')
      : Buffer.from(signing.signingToken, 'utf8');
    const digest = createHmac('sha256', key).update(`${idempotencyKey}.${timestamp}.${signing.body}`).digest('base64');
    Object.assign(signed, { 'webhook-id': idempotencyKey, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${digest}` });
  }
  return {
    ...signed,
    'content-type': 'application/json',
    'user-agent': 'GitLab/17.6.0',
    'x-gitlab-event': event,
    'x-gitlab-instance': instance,
    'x-gitlab-webhook-uuid': '9cd4b9c6-8b6a-4c7e-9f43-2b2c9f0d5a11',
    'x-gitlab-event-uuid': randomUUID(),
    'idempotency-key': idempotencyKey,
    ...(secret === null ? {} : { 'x-gitlab-token': secret }),
  };
}
