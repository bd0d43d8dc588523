import type { Preloop, ToolResult } from '@preloop/core';
import { redactString } from '@preloop/core/internal';
import type { CatalogTool, ToolRunContext } from './tool-types.js';

/**
 * True when `tool`'s results are untrusted content: an upstream server
 * registered with `trust: 'untrusted'`, or a plugin tool marked `untrusted`.
 *
 * @example
 * ```ts
 * if (isUntrustedTool(preloop, tool)) console.log(`${tool.name} taints the session`);
 * ```
 */
export function isUntrustedTool(preloop: Pick<Preloop, 'tools'>, tool: CatalogTool): boolean {
  if (tool.source === 'upstream') return tool.server?.trust === 'untrusted';
  if (tool.untrusted === true) return true;
  if (tool.source === 'plugin')
    return preloop.tools.some((contribution) => contribution.name === tool.name && contribution.untrusted === true);
  return false;
}

/**
 * After an untrusted tool ran inside a runtime session, marks the session
 * tainted (stored, audited once, seen by every instance, and shown in the
 * session's activity) before the result
 * reaches the model. Returns the result, or an error result in its place when
 * the taint cannot be stored: the untrusted content is withheld rather than
 * let into a session policy still believes clean (fail closed).
 *
 * @example
 * ```ts
 * result = await taintAfterResult(preloop, tool, context, result);
 * ```
 */
export async function taintAfterResult(
  preloop: Preloop,
  tool: CatalogTool,
  context: Pick<ToolRunContext, 'principal'>,
  result: ToolResult,
): Promise<ToolResult> {
  const sessionId = context.principal.runtimeSessionId;
  if (!sessionId || !isUntrustedTool(preloop, tool)) return result;
  try {
    const { tainted } = await preloop.identity.runtimeSessions.taint(
      context.principal.accountId,
      sessionId,
      { reason: `result of untrusted tool ${tool.name}`, source: tool.name },
      context.principal,
    );
    if (tainted) {
      // The session's timeline in the console shows when it stopped being clean (the taint itself is already stored).
      await preloop.identity.runtimeSessions
        .recordActivity(sessionId, {
          kind: 'taint',
          status: 'tainted',
          summary: `untrusted content from ${tool.name}`,
          data: { tool: tool.name },
        })
        .catch((error: unknown) => preloop.logger.warn('mcp: could not record the session taint in its activity', { error }));
    }
    return result;
  } catch (error) {
    preloop.logger.warn('mcp: the session taint could not be stored; the untrusted result is withheld', {
      error: redactString((error as Error)?.message ?? String(error)),
      tool: tool.name,
    });
    return {
      content: [{ type: 'text', text: 'The result was withheld: the session could not be marked as holding untrusted content.' }],
      isError: true,
    };
  }
}
