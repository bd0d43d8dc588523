import {
  decodeCursor,
  pageLimit,
  PreloopError,
  toPage,
  type ApprovalKind,
  type ApprovalWorkflow,
  type ApprovalRequestView,
  type ApprovalStatus,
  type Page,
  type Principal,
} from '@preloop/core';
import { approverUserIdOf } from './decide.js';
import { decisionRights, type ViewerDecision } from './decision-rights.js';
import type { EngineContext } from './engine-context.js';
import type { ApprovalRequestRow } from './tables.js';
import { factorTallyOf } from './factor-tally.js';
import { normalizeRow, toRequestView, toTimelineEntry, toVoteView } from './views.js';
import type { ApprovalDetail, ApprovalListItem } from './api-schemas.js';

/** Filters of {@link listApprovals}. */
export interface ApprovalListQuery {
  status?: ApprovalStatus;
  kind?: ApprovalKind;
  /** Exact tool name. */
  tool?: string;
  /** A user, API key, agent or runtime session id of the requester. */
  subject?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  /** Page size, 1–200. @default 50 */
  limit?: number;
}

async function voteCounts(context: EngineContext, ids: string[]): Promise<Map<string, { approve: number; deny: number }>> {
  const counts = new Map<string, { approve: number; deny: number }>(ids.map((id) => [id, { approve: 0, deny: 0 }]));
  if (ids.length === 0) return counts;
  const rows = await context.db
    .selectFrom('approval_votes')
    .select(['request_id', 'decision', (eb) => eb.fn.countAll<number>().as('count')])
    .where('request_id', 'in', ids)
    .where('approver_type', '=', 'user')
    .groupBy(['request_id', 'decision'])
    .execute();
  for (const row of rows) {
    const entry = counts.get(row.request_id);
    if (entry && (row.decision === 'approve' || row.decision === 'deny')) entry[row.decision] = Number(row.count);
  }
  return counts;
}

/** A request as one principal sees it: with `viewer`, whether that principal may decide it and if not why. */
export type ApprovalViewFor = ApprovalRequestView & { viewer?: ViewerDecision };

/** A request with its votes and timeline; with `viewer` when read for a principal. */
export type ApprovalDetailFor = Omit<ApprovalDetail, 'viewer'> & { viewer?: ViewerDecision };

/**
 * For each row, whether `viewer` may decide it (the rule of the decide path, see {@link decisionRights}).
 *
 * @example
 * ```ts
 * const rights = await viewerDecisions(context, rows, principal);
 * ```
 */
export async function viewerDecisions(
  context: EngineContext,
  rows: ApprovalRequestRow[],
  viewer: Principal,
): Promise<Map<string, ViewerDecision>> {
  const approverId = approverUserIdOf(viewer);
  const facts = approverId ? await context.directory.approver(viewer.accountId, approverId) : null;
  const votes = new Map<string, 'approve' | 'deny'>();
  if (approverId && rows.length > 0) {
    const cast = await context.db
      .selectFrom('approval_votes')
      .select(['request_id', 'decision'])
      .where('approver_id', '=', approverId)
      .where(
        'request_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    for (const vote of cast) votes.set(vote.request_id, vote.decision as 'approve' | 'deny');
  }
  const now = context.now();
  // The admin API's own rules for the decide route: its role, and an API key's admin:write scope.
  const canWrite = viewer.type !== 'api_key' || viewer.scopes.includes('admin:write');
  return new Map(
    rows.map((row) => [
      row.id,
      decisionRights({ row, approverId, facts, previousVote: votes.get(row.id) ?? null, role: viewer.role, canWrite, now }),
    ]),
  );
}

/** The sort key of an approvals cursor: the id of the page's last request. */
const requestIdKey = /^apr_[0-9a-f-]{36}$/;

/**
 * Lists an account's requests, newest first, with filters and an opaque cursor;
 * with `viewer`, each item says whether that principal may decide it.
 *
 * @example
 * ```ts
 * const { items, nextCursor } = await listApprovals(context, accountId, { status: 'pending', limit: 20 });
 * ```
 */
export function listApprovals(
  context: EngineContext,
  accountId: string,
  query: ApprovalListQuery | undefined,
  viewer: Principal,
): Promise<Page<ApprovalListItem>>;
export function listApprovals(
  context: EngineContext,
  accountId: string,
  query?: ApprovalListQuery,
  viewer?: Principal,
): Promise<Page<ApprovalViewFor>>;
export async function listApprovals(
  context: EngineContext,
  accountId: string,
  query: ApprovalListQuery = {},
  viewer?: Principal,
): Promise<Page<ApprovalViewFor>> {
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, requestIdKey);
  let select = context.db.selectFrom('approval_requests').selectAll().where('account_id', '=', accountId);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.kind) select = select.where('kind', '=', query.kind);
  if (query.tool) select = select.where('tool_name', '=', query.tool);
  if (query.subject) {
    const subject = query.subject;
    select = select.where((eb) =>
      eb.or([
        eb('subject_user_id', '=', subject),
        eb('subject_api_key_id', '=', subject),
        eb('subject_agent_id', '=', subject),
        eb('runtime_session_id', '=', subject),
      ]),
    );
  }
  if (after) select = select.where('id', '<', after);
  const rows = (
    await select
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute()
  ).map(normalizeRow);
  const page = rows.slice(0, limit);
  const counts = await voteCounts(
    context,
    page.map((row) => row.id),
  );
  const rights = viewer ? await viewerDecisions(context, page, viewer) : null;
  return toPage(
    rows,
    limit,
    (row) => row.id,
    (row) => ({ ...toRequestView(row, counts.get(row.id)!), ...(rights ? { viewer: rights.get(row.id)! } : {}) }),
  );
}

/**
 * One request's public view (with `viewer` when a viewing principal is given); `NOT_FOUND` outside the account.
 *
 * @example
 * ```ts
 * const view = await getApproval(context, accountId, id);
 * ```
 */
export function getApproval(context: EngineContext, accountId: string, id: string, viewer: Principal): Promise<ApprovalListItem>;
export function getApproval(context: EngineContext, accountId: string, id: string, viewer?: Principal): Promise<ApprovalViewFor>;
export async function getApproval(context: EngineContext, accountId: string, id: string, viewer?: Principal): Promise<ApprovalViewFor> {
  const found = await context.db
    .selectFrom('approval_requests')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!found) throw new PreloopError('NOT_FOUND', `No approval request ${id}.`);
  const row = normalizeRow(found);
  const view = toRequestView(row, (await voteCounts(context, [id])).get(id)!);
  return viewer ? { ...view, viewer: (await viewerDecisions(context, [row], viewer)).get(id)! } : view;
}

/**
 * One request with its votes and timeline (and `viewer` when a viewing principal is given).
 *
 * @example
 * ```ts
 * const detail = await getApprovalDetail(context, accountId, id);
 * detail.voteList; // [{ approverId, decision, channel, … }]
 * ```
 */
export function getApprovalDetail(context: EngineContext, accountId: string, id: string, viewer: Principal): Promise<ApprovalDetail>;
export function getApprovalDetail(context: EngineContext, accountId: string, id: string, viewer?: Principal): Promise<ApprovalDetailFor>;
export async function getApprovalDetail(
  context: EngineContext,
  accountId: string,
  id: string,
  viewer?: Principal,
): Promise<ApprovalDetailFor> {
  const view = await getApproval(context, accountId, id, viewer);
  const [votes, timeline, result] = await Promise.all([
    context.db.selectFrom('approval_votes').selectAll().where('request_id', '=', id).orderBy('created_at').orderBy('id').execute(),
    context.db.selectFrom('approval_events').selectAll().where('request_id', '=', id).orderBy('time').orderBy('id').execute(),
    context.db.selectFrom('approval_requests').select(['result_json', 'workflow_json']).where('id', '=', id).executeTakeFirst(),
  ]);
  const entries = timeline.map(toTimelineEntry);
  const tally = result ? factorTallyOf(JSON.parse(result.workflow_json) as ApprovalWorkflow, entries) : null;
  return {
    ...view,
    voteList: votes.map(toVoteView),
    timeline: entries,
    hasResult: (result?.result_json ?? null) !== null,
    factorTallies: tally?.tallies ?? null,
  };
}
