import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { runtimeContractVersion, type AgentRuntime, type RuntimeRunContext, type RuntimeRunResult } from '@preloop/core';
import { z } from 'zod';

/** The runtime options of an `agent-loop` flow. */
export const agentLoopOptionsSchema = z.strictObject({
  /** A system message before the prompt. @default none */
  system: z.string().min(1).max(32_768).optional(),
  /** Model turns before the run fails (each turn may call several tools). @default 20 */
  maxSteps: z.number().int().min(1).max(200).default(20),
  /** Largest completion per turn, in tokens. @default 4096 */
  maxTokens: z.number().int().min(1).max(200_000).default(4096),
});

/** A chat message as the OpenAI chat completions API takes it. */
type Message = Record<string, unknown> & { role: string };
/** A tool call of an assistant message. */
type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

/** What an `agent-loop` run keeps when it parks on an approval. */
interface AgentLoopCheckpoint {
  messages: Message[];
  /** The assistant turn's tool calls and the results already obtained. */
  calls: ToolCall[];
  results: Message[];
  step: number;
  usage: { modelCalls: number; toolCalls: number; inputTokens: number; outputTokens: number };
}

/** MCP tool names carry dots (`github.create_issue`); OpenAI function names may not. */
const toFunctionName = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, (character) => (character === '.' ? '__' : '_'));

/** The text of an MCP tool result. */
function resultText(result: { content?: unknown; structuredContent?: unknown }): string {
  const parts = Array.isArray(result.content) ? (result.content as Array<{ type: string; text?: string }>) : [];
  const text = parts
    .filter((part) => part.type === 'text')
    .map((part) => part.text ?? '')
    .join('\n');
  return text || (result.structuredContent ? JSON.stringify(result.structuredContent) : '');
}

/** The pending approval of a tool result in async approval mode, if it is one. */
function pendingApproval(result: { _meta?: unknown }): string | null {
  const meta = (result._meta as Record<string, { requestId?: string; status?: string }> | undefined)?.['preloop/approval'];
  return meta?.status === 'pending' && typeof meta.requestId === 'string' ? meta.requestId : null;
}

/** One model turn through the gateway's OpenAI-compatible chat completions endpoint. */
async function complete(context: RuntimeRunContext, body: Record<string, unknown>) {
  const response = await fetch(`${context.endpoints.openaiBaseUrl.replace(/\/+$/, '')}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${context.credential}` },
    body: JSON.stringify(body),
    signal: context.signal,
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON
    }
    throw new Error(`the model call failed (HTTP ${response.status}): ${message}`);
  }
  return JSON.parse(text) as {
    choices: Array<{ message: { content: string | null; tool_calls?: ToolCall[] }; finish_reason: string }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
}

/**
 * The built-in `agent-loop` runtime: a small tool-using agent that calls the
 * flow's model through this server's gateway (OpenAI-compatible chat
 * completions, with `fetch`) and tools through this server's MCP endpoint
 * (the official MCP SDK client), both with the execution's runtime
 * credential, so every step is governed, metered and audited. It loops until
 * the model answers without tool calls (the answer is the result) or
 * `maxSteps` turns. A tool call that waits for an approval (a workflow with
 * `async: true`) parks the execution; once decided, the run resumes with the
 * same call, which then runs (or returns the denial to the model).
 *
 * @example
 * ```ts
 * const runtime = agentLoopRuntime();
 * // a flow: { model: 'gpt-4o-mini', runtime: { id: 'agent-loop', options: { maxSteps: 10 } } }
 * ```
 */
export function agentLoopRuntime(): AgentRuntime {
  return {
    id: 'agent-loop',
    version: runtimeContractVersion,
    description: 'A tool-using agent loop through the gateway and the MCP endpoint.',
    validateOptions(options) {
      const parsed = agentLoopOptionsSchema.safeParse(options);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `options.${issue.path.join('.')}: ${issue.message}`);
    },
    async run(context): Promise<RuntimeRunResult> {
      const options = agentLoopOptionsSchema.parse(context.options);
      if (!context.model) return { status: 'failed', error: 'the agent-loop runtime needs the flow to name a model' };
      const checkpoint = context.checkpoint as AgentLoopCheckpoint | null;
      const usage = checkpoint?.usage ?? { modelCalls: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0 };
      const client = new Client({ name: 'preloop-agent-loop', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(context.endpoints.mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${context.credential}` } },
      });
      try {
        await client.connect(transport);
        const listed = await client.listTools(undefined, { signal: context.signal });
        const names = new Map<string, string>();
        const tools = listed.tools.map((tool) => {
          const name = toFunctionName(tool.name);
          names.set(name, tool.name);
          return { type: 'function', function: { name, description: tool.description ?? '', parameters: tool.inputSchema } };
        });
        context.log('info', `agent-loop: model ${context.model}, ${tools.length} tools`);

        const messages: Message[] = checkpoint?.messages ?? [
          ...(options.system ? [{ role: 'system', content: options.system }] : []),
          { role: 'user', content: context.prompt },
        ];
        let pendingCalls = checkpoint?.calls ?? [];
        let results = checkpoint?.results ?? [];
        let step = checkpoint?.step ?? 0;

        for (;;) {
          // Run the tool calls of the last assistant turn (on resume: from the one that waited for approval).
          for (const call of pendingCalls.slice(results.length)) {
            const tool = names.get(call.function.name) ?? call.function.name;
            let args: Record<string, unknown> = {};
            try {
              args = call.function.arguments ? (JSON.parse(call.function.arguments) as Record<string, unknown>) : {};
            } catch {
              results.push({ role: 'tool', tool_call_id: call.id, content: `Invalid JSON arguments for ${tool}.` });
              continue;
            }
            context.log('info', `tool call ${tool}`);
            usage.toolCalls += 1;
            const result = (await client.callTool({ name: tool, arguments: args }, undefined, {
              signal: context.signal,
              timeout: 600_000,
            })) as {
              content?: unknown;
              structuredContent?: unknown;
              isError?: boolean;
              _meta?: unknown;
            };
            const approval = pendingApproval(result);
            if (approval) {
              context.log('info', `tool call ${tool} waits for approval request ${approval}`);
              return {
                status: 'waiting_approval',
                approvalRequestId: approval,
                checkpoint: { messages, calls: pendingCalls, results, step, usage } satisfies AgentLoopCheckpoint,
                usage,
              };
            }
            const text = resultText(result);
            context.log(result.isError ? 'error' : 'info', `tool result ${tool}: ${text.slice(0, 500)}`);
            results.push({ role: 'tool', tool_call_id: call.id, content: text });
          }
          messages.push(...results);
          pendingCalls = [];
          results = [];

          if (step >= options.maxSteps)
            return { status: 'failed', error: `the model did not finish within ${options.maxSteps} steps`, usage };
          step += 1;
          const completion = await complete(context, {
            model: context.model,
            messages,
            max_tokens: options.maxTokens,
            ...(tools.length ? { tools } : {}),
          });
          usage.modelCalls += 1;
          usage.inputTokens += completion.usage?.prompt_tokens ?? 0;
          usage.outputTokens += completion.usage?.completion_tokens ?? 0;
          const message = completion.choices[0]?.message;
          if (!message) return { status: 'failed', error: 'the model answered no choice', usage };
          const calls = message.tool_calls ?? [];
          messages.push({ role: 'assistant', content: message.content ?? null, ...(calls.length ? { tool_calls: calls } : {}) });
          if (message.content) context.log('stdout', message.content);
          if (calls.length === 0) return { status: 'succeeded', output: message.content ?? '', usage };
          pendingCalls = calls;
        }
      } catch (error) {
        if (context.signal.aborted) return { status: 'failed', error: 'stopped', usage };
        return { status: 'failed', error: (error as Error)?.message ?? String(error), usage };
      } finally {
        await client.close().catch(() => undefined);
      }
    },
  };
}
