import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createId, PreloopError, type Principal } from '@preloop/core';
import { adminApiBasePath, sha256Hex } from '@preloop/core/internal';
import { addTimeline, readRequest, runEffects, writeTransaction, type Effect, type EngineContext } from './engine-context.js';
import { approvalError } from './errors.js';
import type { ApprovalLinkRow } from './tables.js';
import type { ApprovalDecision } from './decide.js';
import type { MintedDecisionLink } from './api-schemas.js';

/** The prefix of decision-link tokens, so a leaked one is recognizable. */
export const decisionLinkPrefix = 'pla_';

const tokenPattern = /^pla_[A-Za-z0-9_-]{43}$/;

/** What {@link mintDecisionLink} takes. */
export interface MintLinkInput {
  accountId: string;
  requestId: string;
  /** The user the link decides as; it must be allowed to decide when used. */
  approverId: string;
  /** Restrict the link to one decision. @default either */
  decision?: ApprovalDecision | null;
  /** Lifetime in seconds. @default the `linkTtlSeconds` option */
  ttlSeconds?: number;
  /** Base URL of the links. @default the `publicUrl` option */
  baseUrl?: string | null;
  /** Who minted it, for the audit trail. @default the engine */
  actor?: Principal;
}

export type { MintedDecisionLink } from './api-schemas.js';

/**
 * The path of a decision link below the server's origin.
 *
 * @example
 * ```ts
 * decisionLinkPath('apr_1', 'pla_…'); // '/api/v1/approvals/apr_1/links/pla_…'
 * ```
 */
export function decisionLinkPath(requestId: string, token: string): string {
  return `${adminApiBasePath}/approvals/${encodeURIComponent(requestId)}/links/${encodeURIComponent(token)}`;
}

/**
 * Mints a single-use decision link for one approver of one request: 32 random
 * bytes, stored as a SHA-256 hash, bound to the request, the approver and
 * (optionally) one decision, expiring after `ttlSeconds`.
 *
 * @example
 * ```ts
 * const link = await mintDecisionLink(context, { accountId, requestId, approverId: userId });
 * sendEmail(link.approveUrl);
 * ```
 */
export async function mintDecisionLink(context: EngineContext, input: MintLinkInput): Promise<MintedDecisionLink> {
  const request = await readRequest(context.db, context.dialect, input.requestId);
  if (!request || request.account_id !== input.accountId) throw new PreloopError('NOT_FOUND', `No approval request ${input.requestId}.`);
  const approver = await context.directory.approver(input.accountId, input.approverId);
  if (!approver)
    throw new PreloopError('VALIDATION_ERROR', `approverId: no enabled user ${input.approverId} in this account`, {
      details: { issues: [{ path: 'approverId', message: 'no enabled user with this id' }] },
    });
  const ttlSeconds = input.ttlSeconds ?? context.options.linkTtlSeconds;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 2_592_000) {
    throw new PreloopError('VALIDATION_ERROR', 'ttlSeconds: must be an integer from 1 to 2592000', {
      details: { issues: [{ path: 'ttlSeconds', message: 'must be an integer from 1 to 2592000' }] },
    });
  }
  const token = `${decisionLinkPrefix}${randomBytes(32).toString('base64url')}`;
  const now = context.now();
  const row: ApprovalLinkRow = {
    id: createId('apl'),
    account_id: input.accountId,
    request_id: input.requestId,
    approver_id: input.approverId,
    token_hash: sha256Hex(token),
    decision: input.decision ?? null,
    created_at: now,
    expires_at: now + ttlSeconds * 1000,
    used_at: null,
  };
  const effects: Effect[] = [
    {
      kind: 'audit',
      input: {
        accountId: input.accountId,
        actor: input.actor ?? { type: 'system', name: 'approvals' },
        action: 'approval.link-mint',
        target: { type: 'approval', id: input.requestId },
        outcome: 'success',
        runtimeSessionId: request.runtime_session_id,
        data: { linkId: row.id, approverId: input.approverId, decision: row.decision, expiresAt: row.expires_at },
      },
    },
  ];
  await writeTransaction(context, async (trx) => {
    await trx.insertInto('approval_links').values(row).execute();
    await addTimeline(trx, request, now, 'link_minted', input.actor?.id ?? null, {
      linkId: row.id,
      approverId: input.approverId,
      decision: row.decision,
    });
  });
  await runEffects(context, effects);
  const base = input.baseUrl === undefined ? context.options.publicUrl : input.baseUrl;
  const url = base ? `${base.replace(/\/+$/, '')}${decisionLinkPath(input.requestId, token)}` : null;
  return {
    id: row.id,
    token,
    url,
    approveUrl: url ? `${url}?decision=approve` : null,
    denyUrl: url ? `${url}?decision=deny` : null,
    approverId: input.approverId,
    decision: row.decision as ApprovalDecision | null,
    expiresAt: row.expires_at,
  };
}

/** A decision link found by its token, checked against the request in the URL. */
export type LinkLookup =
  | { ok: true; link: ApprovalLinkRow }
  | {
      ok: false;
      code: 'APPROVAL_LINK_INVALID' | 'APPROVAL_LINK_WRONG_REQUEST' | 'APPROVAL_LINK_USED' | 'APPROVAL_LINK_EXPIRED';
      link: ApprovalLinkRow | null;
    };

/**
 * Finds the link behind `token` and checks it: well-formed and known
 * (`APPROVAL_LINK_INVALID`), for `requestId` (`APPROVAL_LINK_WRONG_REQUEST`),
 * unused (`APPROVAL_LINK_USED`), unexpired (`APPROVAL_LINK_EXPIRED`). Changes nothing.
 *
 * @example
 * ```ts
 * const found = await findDecisionLink(context, params.id, params.token);
 * ```
 */
export async function findDecisionLink(context: EngineContext, requestId: string, token: string): Promise<LinkLookup> {
  if (!tokenPattern.test(token)) return { ok: false, code: 'APPROVAL_LINK_INVALID', link: null };
  const row = await context.db.selectFrom('approval_links').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
  if (!row) return { ok: false, code: 'APPROVAL_LINK_INVALID', link: null };
  const link: ApprovalLinkRow = {
    ...row,
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
    used_at: row.used_at === null ? null : Number(row.used_at),
  };
  if (link.request_id !== requestId) return { ok: false, code: 'APPROVAL_LINK_WRONG_REQUEST', link };
  if (link.used_at !== null) return { ok: false, code: 'APPROVAL_LINK_USED', link };
  if (link.expires_at <= context.now()) return { ok: false, code: 'APPROVAL_LINK_EXPIRED', link };
  return { ok: true, link };
}

/**
 * Compares two tokens in constant time.
 *
 * @example
 * ```ts
 * sameToken(body.token, params.token);
 * ```
 */
export function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Audits a refused decision-link use and emits `approval-link-refused`; a
 * used link is flagged as a replay alarm.
 *
 * @example
 * ```ts
 * await reportRefusedLink(context, { requestId, code: 'APPROVAL_LINK_USED', link });
 * ```
 */
export async function reportRefusedLink(
  context: EngineContext,
  input: { requestId: string; code: string; link: ApprovalLinkRow | null; accountId?: string },
): Promise<PreloopError> {
  const replay = input.code === 'APPROVAL_LINK_USED';
  const request = await readRequest(context.db, context.dialect, input.requestId).catch(() => null);
  const accountId = input.link?.account_id ?? request?.account_id ?? input.accountId ?? context.preloop.accountId;
  const effects: Effect[] = [
    {
      kind: 'audit',
      input: {
        accountId,
        actor: { type: 'system', name: 'decision-link' },
        action: 'approval.link-refused',
        target: { type: 'approval', id: input.link?.request_id ?? input.requestId },
        outcome: 'refused',
        data: {
          code: input.code,
          alarm: replay,
          linkId: input.link?.id ?? null,
          approverId: input.link?.approver_id ?? null,
          urlRequestId: input.requestId,
        },
      },
    },
    {
      kind: 'event',
      name: 'approval-link-refused',
      payload: { accountId, requestId: input.link?.request_id ?? (request ? input.requestId : null), code: input.code, replay },
    },
  ];
  await runEffects(context, effects);
  if (replay)
    context.preloop.logger.warn('approvals: a used decision link was presented again (possible replay)', {
      linkId: input.link?.id,
      requestId: input.link?.request_id,
    });
  const messages: Record<string, string> = {
    APPROVAL_LINK_INVALID: 'This decision link is not valid.',
    APPROVAL_LINK_WRONG_REQUEST: 'This decision link belongs to another request.',
    APPROVAL_LINK_USED: 'This decision link was already used.',
    APPROVAL_LINK_EXPIRED: 'This decision link has expired.',
    APPROVAL_LINK_DECISION_MISMATCH: 'This decision link does not allow that decision.',
    APPROVAL_LINK_TOKEN_MISMATCH: 'The form does not carry this link’s token.',
  };
  return approvalError(input.code as Parameters<typeof approvalError>[0], messages[input.code] ?? 'This decision link was refused.');
}
