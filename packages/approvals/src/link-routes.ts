import { defineRoute, errorBodySchema, type AdminRoute, type Principal } from '@preloop/core';
import { isFormPost } from '@preloop/core/internal';
import type { z } from 'zod';
import { linkDecisionBodySchema, linkDecisionResultSchema, type LinkDecisionResult } from './api-schemas.js';
import type { ApprovalEngine } from './create-approval-engine.js';
import type { ApprovalDecision } from './decide.js';
import { findDecisionLink, reportRefusedLink, sameToken } from './decision-links.js';
import type { EngineContext } from './engine-context.js';
import { approvalErrorCodes } from './errors.js';
import { confirmPage, errorPage, resultPage } from './link-page.js';

/** The HTML pages of the decision link (confirm, result and error pages). */
const htmlPage = { mediaType: 'text/html', description: 'An HTML page' } as const;
/** A refusal: JSON to a JSON post, a page to a form post (or to a GET). */
const refusal = [errorBodySchema, htmlPage];

const pageMessages: Record<string, string> = {
  APPROVAL_LINK_INVALID: 'This decision link is not valid.',
  APPROVAL_LINK_WRONG_REQUEST: 'This decision link belongs to another request.',
  APPROVAL_LINK_USED: 'This decision link was already used. Each link decides once.',
  APPROVAL_LINK_EXPIRED: 'This decision link has expired.',
};

/** The user a decision link acts as, as a principal (for the audit trail). */
function linkPrincipal(
  accountId: string,
  user: { userId: string; name: string; role: Principal['role']; teamIds: readonly string[] },
): Principal {
  return {
    type: 'user',
    id: user.userId,
    accountId,
    name: user.name,
    role: user.role,
    userId: user.userId,
    apiKeyId: null,
    agentId: null,
    runtimeSessionId: null,
    teamIds: [...user.teamIds],
    scopes: [],
  };
}

/**
 * The public decision-link routes, under `/api/v1/approvals/:id/links/:token`.
 * GET (and HEAD) shows a confirm page and changes nothing, so a mail scanner
 * that fetches every link decides nothing. POST decides: a JSON body carrying
 * the token again (it must equal the URL's), the decision and an optional
 * comment. A used link answers 410 and raises a replay alarm; another
 * request's link 403; an expired one 410. Every refusal is audited.
 *
 * @example
 * ```ts
 * const routes = decisionLinkRoutes(() => engine, () => context);
 * ```
 */
export function decisionLinkRoutes(engine: () => ApprovalEngine, context: () => EngineContext): AdminRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/approvals/:id/links/:token',
      summary: 'Decision link confirm page (HTML; a GET never decides)',
      tag: 'approvals',
      access: 'public',
      response: htmlPage,
      // 403: an invalid link or another request's; 410: used or expired (both as a page); 503: the store cannot be reached.
      errors: [503],
      responses: { 403: htmlPage, 410: htmlPage },
      async handler({ params, request }) {
        const found = await findDecisionLink(context(), params.id!, params.token!);
        if (!found.ok) return errorPage(approvalErrorCodes[found.code], pageMessages[found.code]!);
        const view = await engine().get(found.link.account_id, found.link.request_id);
        const approver = await context().directory.approver(found.link.account_id, found.link.approver_id);
        const asked = new URL(request.url).searchParams.get('decision');
        const preselected: ApprovalDecision | null = asked === 'approve' || asked === 'deny' ? asked : null;
        return confirmPage({
          request: view,
          token: params.token!,
          preselected: found.link.decision ? (found.link.decision as ApprovalDecision) : preselected,
          allowed: found.link.decision as ApprovalDecision | null,
          approverName: approver?.name ?? 'an approver',
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/links/:token',
      summary: 'Decide through a single-use decision link (JSON or plain form body: token, decision, comment?)',
      tag: 'approvals',
      access: 'public',
      body: linkDecisionBodySchema,
      acceptForm: true,
      response: [linkDecisionResultSchema, htmlPage],
      // 400 a required comment or an invalid answer; 403 a refused link or approver; 404 no such request; 409 decided or voted the other way; 410 a used or expired link, or an expired request; 503 shutting down.
      responses: { 400: refusal, 403: refusal, 404: refusal, 409: refusal, 410: refusal, 500: refusal, 503: refusal },
      async handler({ params, body, request }) {
        if (isFormPost(request)) {
          // A browser without JavaScript posted the confirm page's form: answer with a page, not JSON.
          try {
            const outcome = await decideThroughLink(params.id!, params.token!, body);
            return resultPage(
              outcome.request.status === 'pending'
                ? 'Your vote was recorded; more approvals are needed.'
                : `Done: the request is ${outcome.request.status}. You can close this page.`,
            );
          } catch (error) {
            const status = (error as { status?: number }).status ?? 500;
            return errorPage(status, (error as Error).message);
          }
        }
        return decideThroughLink(params.id!, params.token!, body);
      },
    }),
  ];

  /** One decide through a link, for both the JSON and the form post. */
  async function decideThroughLink(
    requestId: string,
    token: string,
    body: z.output<typeof linkDecisionBodySchema>,
  ): Promise<LinkDecisionResult> {
    if (!sameToken(body.token, token))
      throw await reportRefusedLink(context(), { requestId, code: 'APPROVAL_LINK_TOKEN_MISMATCH', link: null });
    const found = await findDecisionLink(context(), requestId, token);
    if (!found.ok) throw await reportRefusedLink(context(), { requestId, code: found.code, link: found.link });
    const { link } = found;
    if (link.decision !== null && link.decision !== body.decision) {
      throw await reportRefusedLink(context(), { requestId, code: 'APPROVAL_LINK_DECISION_MISMATCH', link });
    }
    const approver = await context().directory.approver(link.account_id, link.approver_id);
    const actor: Principal = approver
      ? linkPrincipal(link.account_id, approver)
      : linkPrincipal(link.account_id, { userId: link.approver_id, name: link.approver_id, role: null, teamIds: [] });
    try {
      const result = await engine().decide({
        accountId: link.account_id,
        requestId,
        actor,
        decision: body.decision,
        comment: body.comment ?? null,
        answer: body.answer ?? null,
        channel: 'link',
        link: { id: link.id },
      });
      return { request: { id: result.request.id, status: result.request.status }, counted: result.counted, resolved: result.resolved };
    } catch (error) {
      if ((error as { code?: string }).code === 'APPROVAL_LINK_USED') {
        // Used between our check and the decide: the same replay alarm.
        throw await reportRefusedLink(context(), { requestId, code: 'APPROVAL_LINK_USED', link });
      }
      throw error;
    }
  }
}
