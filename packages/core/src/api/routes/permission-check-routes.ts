import { z } from 'zod';
import { PreloopError } from '../../errors.js';
import { redactString } from '../../audit/redact.js';
import { toStoreUnavailableError } from '../../storage/store-unavailable.js';
import { checkNativeTool, type NativeToolCheckAnswer } from '../../permission-check/native-tool-check.js';
import { defineRoute, type AdminRoute } from '../define-route.js';

/**
 * Body of `POST /agents/permission-check`: the PreToolUse JSON Claude Code and
 * Codex hand their hooks (on stdin, or POSTed by Claude Code's HTTP hook).
 * Fields the agents add beyond these are accepted and ignored.
 */
export const preToolUseBodySchema = z.looseObject({
  hook_event_name: z.literal('PreToolUse'),
  tool_name: z.string().regex(/^[\x21-\x7e]{1,248}$/, 'must be 1–248 printable ASCII characters without spaces'),
  tool_input: z.record(z.string(), z.unknown()).default({}),
  session_id: z.string().min(1).max(200).optional(),
  tool_use_id: z.string().max(200).optional(),
  cwd: z.string().max(4096).optional(),
});

/** Query of `POST /agents/permission-check`: how a check that needs approval waits and what it answers when the wait ends. */
export const permissionCheckQuery = z.strictObject({
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(300)
    .default(25)
    .describe('Seconds to wait for an approver; keep it below the hook timeout (default 25)'),
  pending: z
    .enum(['deny', 'ask', 'defer'])
    .default('deny')
    .describe('The answer when approval is still pending after the wait (default deny)'),
});

/** The exact answer the agents read from a PreToolUse hook. */
export const preToolUseAnswerSchema = z.strictObject({
  hookSpecificOutput: z.strictObject({
    hookEventName: z.literal('PreToolUse'),
    permissionDecision: z.enum(['allow', 'deny', 'ask', 'defer']),
    permissionDecisionReason: z.string().max(2000),
  }),
});

/** The hook answer for a decision. */
export function toPreToolUseAnswer(answer: Pick<NativeToolCheckAnswer, 'decision' | 'reason'>): z.infer<typeof preToolUseAnswerSchema> {
  return {
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: answer.decision, permissionDecisionReason: answer.reason },
  };
}

/**
 * The permission-check route: an agent's PreToolUse hook asks whether it may
 * run a native tool. Every decision, deny included, is a 200 with the hook
 * answer (the agents let a call through on any other status unless the hook
 * is set to `onFailure: block`); a check that cannot be decided (the database
 * is unreachable) is a deny too. A missing or refused key is a 401.
 */
export const permissionCheckRoutes: AdminRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/agents/permission-check',
    summary: 'Answer an agent’s PreToolUse hook: may it run this native tool with these arguments?',
    tag: 'agents',
    access: { principals: ['agent', 'runtime_session', 'api_key'] },
    body: preToolUseBodySchema,
    query: permissionCheckQuery,
    response: preToolUseAnswerSchema,
    async handler({ preloop, principal, body, query, request }) {
      if (principal!.type === 'api_key' && !principal!.scopes.includes('mcp'))
        throw new PreloopError('FORBIDDEN', 'This API key lacks the "mcp" scope that agents use.');
      try {
        const answer = await checkNativeTool(
          preloop,
          principal!,
          {
            toolName: body.tool_name,
            toolInput: body.tool_input,
            sessionId: body.session_id ?? null,
            toolUseId: body.tool_use_id ?? null,
            cwd: body.cwd ?? null,
          },
          { waitSeconds: query.wait, onPending: query.pending, signal: request.signal },
        );
        return toPreToolUseAnswer(answer);
      } catch (error) {
        // Fail closed, and answer 200 so that the agent blocks whatever its hook's `onFailure`.
        const unavailable = toStoreUnavailableError(error);
        const why = unavailable ? unavailable.message : redactString((error as Error)?.message ?? String(error)).slice(0, 500);
        if (!unavailable) preloop.logger.warn('permission check failed; answering deny', { error });
        return toPreToolUseAnswer({ decision: 'deny', reason: `Denied: Preloop could not decide this call (${why}).` });
      }
    },
  }),
];
