import type { Preloop, Principal, ToolResult } from '@preloop/core';
import type { ApprovalFlow } from '../calls/approval-flow.js';
import { approvalEndedResult, approvalPendingResult } from '../calls/approval-flow.js';
import type { CatalogTool, ToolRunContext } from '../calls/tool-types.js';

/** The names of the built-in tools. */
export const builtinToolNames = ['request_approval', 'ask_user', 'get_approval_status'] as const;

/** What the built-in tools need. */
export interface BuiltinToolOptions {
  preloop: Preloop;
  flow: ApprovalFlow;
  /** The workflow for `request_approval` and `ask_user`; by default the policy's default workflow, else its first one. */
  workflow?: string;
  /** `wait` or `async` (a workflow's own `async` wins). */
  mode: 'wait' | 'async';
}

function text(value: string, isError = false, structured?: Record<string, unknown>): ToolResult {
  return {
    content: [{ type: 'text', text: value }],
    ...(isError ? { isError: true } : {}),
    ...(structured ? { structuredContent: structured } : {}),
  };
}

async function resolveWorkflow(options: BuiltinToolOptions, principal: Principal): Promise<{ name: string; async: boolean } | null> {
  const { document } = await options.preloop.governance.policies.active(principal.accountId);
  const name = options.workflow ?? document.defaults.workflow ?? Object.keys(document.workflows)[0];
  if (!name || !document.workflows[name]) return null;
  return { name, async: document.workflows[name]!.async ?? options.mode === 'async' };
}

function definition(name: string, description: string, properties: Record<string, unknown>, required: string[]): CatalogTool['listing'] {
  return {
    name,
    description,
    inputSchema: { type: 'object', properties: properties as Record<string, object>, required, additionalProperties: false },
    annotations: { readOnlyHint: name === 'get_approval_status', destructiveHint: false, openWorldHint: false },
  };
}

async function askHuman(
  options: BuiltinToolOptions,
  context: ToolRunContext,
  tool: string,
  args: Record<string, unknown>,
  question?: { text: string; options: string[]; allowFreeText: boolean },
): Promise<ToolResult> {
  const provider = options.flow.provider();
  if (!provider) return text(`${tool} is unavailable: no approval provider is installed.`, true);
  const workflow = await resolveWorkflow(options, context.principal);
  if (!workflow) return text(`${tool} is unavailable: the policy names no approval workflow.`, true);
  const { ticket, outcome } = await options.flow.ask(
    {
      principal: context.principal,
      tool: { name: tool, definitionHash: null },
      args,
      workflow: workflow.name,
      kind: question ? 'question' : 'request',
      ...(question ? { question } : {}),
      ...(typeof args.reason === 'string' ? { justification: args.reason } : {}),
    },
    context,
    workflow.async,
  );
  if (outcome === null) return approvalPendingResult(ticket, workflow.name);
  if (question) {
    if (outcome.status === 'approved' || outcome.status === 'executed') {
      return text(outcome.answer ?? '', false, { status: 'answered', requestId: ticket.id, answer: outcome.answer ?? null });
    }
    return approvalEndedResult(outcome);
  }
  if (outcome.status === 'approved' || outcome.status === 'executed') {
    return text(`Approved${outcome.comment ? `: ${outcome.comment}` : ''}.`, false, {
      status: 'approved',
      requestId: ticket.id,
      comment: outcome.comment ?? null,
    });
  }
  if (outcome.status === 'denied') {
    return text(`Denied${outcome.comment ? `: ${outcome.comment}` : ''}. Do not proceed with this action.`, false, {
      status: 'denied',
      requestId: ticket.id,
      comment: outcome.comment ?? null,
    });
  }
  return approvalEndedResult(outcome);
}

/**
 * The built-in tools: `request_approval` (ask a human to approve an action the
 * agent describes), `ask_user` (ask a human a question with options or free
 * text; an approver answers through the approval engine's question kind) and
 * `get_approval_status` (poll a request this principal made). They are marked
 * read-only so the default policy lets agents use them; a policy may still
 * hide or deny them like any tool.
 *
 * @example
 * ```ts
 * const tools = createBuiltinTools({ preloop, flow, mode: 'wait' });
 * ```
 */
export function createBuiltinTools(options: BuiltinToolOptions): CatalogTool[] {
  const builtin = (listing: CatalogTool['listing'], run: CatalogTool['run']): CatalogTool => ({
    name: listing.name,
    source: 'builtin',
    listing,
    readOnly: true,
    server: null,
    upstreamName: null,
    definitionHash: null,
    run,
  });
  return [
    builtin(
      definition(
        'request_approval',
        'Ask a human to approve an action before you take it. Describe exactly what you will do; wait for the answer and do not proceed unless it is approved.',
        {
          action: { type: 'string', minLength: 1, maxLength: 2000, description: 'What you want to do, precisely.' },
          reason: { type: 'string', maxLength: 2000, description: 'Why it is needed.' },
          details: { type: 'object', description: 'Structured details for the approver (for example the target and the values).' },
        },
        ['action'],
      ),
      (args, context) => askHuman(options, context, 'request_approval', args),
    ),
    builtin(
      definition(
        'ask_user',
        'Ask a human a question and wait for the answer. Offer options when the answer is one of a few choices; otherwise the human answers in free text.',
        {
          question: { type: 'string', minLength: 1, maxLength: 2000, description: 'The question.' },
          options: {
            type: 'array',
            items: { type: 'string', minLength: 1, maxLength: 200 },
            maxItems: 20,
            description: 'Choices to offer.',
          },
          allow_free_text: {
            type: 'boolean',
            description: 'Whether a free-text answer is allowed besides the options. Default: true when no options are given.',
          },
        },
        ['question'],
      ),
      (args, context) => {
        const choices = Array.isArray(args.options) ? (args.options as string[]) : [];
        const allowFreeText = typeof args.allow_free_text === 'boolean' ? args.allow_free_text : choices.length === 0;
        if (choices.length === 0 && !allowFreeText)
          return Promise.resolve(text('ask_user needs options when free text is not allowed.', true));
        return askHuman(options, context, 'ask_user', args, { text: String(args.question), options: choices, allowFreeText });
      },
    ),
    builtin(
      definition(
        'get_approval_status',
        "Get the status of an approval request you made (pending, approved, denied, expired, cancelled or executed), with the approver's comment or answer.",
        { request_id: { type: 'string', minLength: 1, maxLength: 200, description: 'The approval request id.' } },
        ['request_id'],
      ),
      async (args, context) => {
        const id = String(args.request_id);
        const outcome = await options.flow.status(id, context.principal).catch(() => null);
        if (!outcome) return text(`Unknown approval request: ${id.slice(0, 200)}`, true);
        const structured = {
          requestId: outcome.id,
          status: outcome.status,
          comment: outcome.comment ?? null,
          answer: outcome.answer ?? null,
          reason: outcome.reason ?? null,
        };
        return text(JSON.stringify(structured), false, structured);
      },
    ),
  ];
}
