/**
 * OpenAI chat completion (non-streaming) → OpenAI Responses response.
 *
 * @module
 */

import { createUsage, fromOpenAIChatUsage, toResponsesUsage, type Usage } from '../usage/usage.js';
import type {
  ResponsesFunctionCall,
  ResponsesOutputContent,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesRequest,
  ResponsesResponse,
  ResponsesStatus,
} from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletion, OpenAIChatFinishReason } from '../wire/openai-types.js';
import { namespacedToolNames, restoreNamespace } from './namespace-tools.js';
import { nowInSeconds } from './shared.js';

/** Options of {@link toResponsesResponse}. */
export interface ToResponsesResponseOptions {
  /** The Responses request being answered; its settings are echoed as the API does. @default none */
  request?: ResponsesRequest;
  /** The response id. @default `resp_` + the completion id */
  id?: string;
  /** The model name reported to the client. @default the completion's `model` */
  model?: string;
  /** `created_at`, in epoch seconds. @default the completion's `created` */
  createdAt?: number;
  /** `completed_at`, in epoch seconds. @default now */
  completedAt?: number;
}

/** The id of the message output item answering chat completion `completionId`. */
export function responsesMessageItemId(completionId: string): string {
  return `msg_${completionId}`;
}

/** The id of the function call output item for tool call `callId`. */
export function responsesFunctionCallItemId(callId: string): string {
  return `fc_${callId}`;
}

/** Response status and incomplete details for a chat finish reason. */
export function responsesStatusOf(finishReason: OpenAIChatFinishReason | null): {
  status: ResponsesStatus;
  incomplete_details: ResponsesResponse['incomplete_details'];
} {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** Fields of a response object other than its output, status and usage. */
export function responsesShell(
  request: ResponsesRequest | undefined,
  fields: { id: string; model: string; createdAt: number },
): ResponsesResponse {
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: 'in_progress',
    model: fields.model,
    output: [],
    error: null,
    incomplete_details: null,
    instructions: typeof request?.instructions === 'string' ? request.instructions : null,
    metadata: request?.metadata ?? null,
    parallel_tool_calls: request?.parallel_tool_calls ?? true,
    temperature: request?.temperature ?? null,
    top_p: request?.top_p ?? null,
    tool_choice: request?.tool_choice ?? 'auto',
    tools: request?.tools ?? [],
    max_output_tokens: request?.max_output_tokens ?? null,
    previous_response_id: null,
    reasoning: request?.reasoning ?? null,
    text: request?.text ?? { format: { type: 'text' } },
    truncation: request?.truncation ?? 'disabled',
    ...(request?.user ? { user: request.user } : {}),
  };
}

/** Completes a response shell with its output, status and usage. */
export function finishResponse(
  shell: ResponsesResponse,
  output: ResponsesOutputItem[],
  finishReason: OpenAIChatFinishReason | null,
  usage: Usage,
  completedAt: number,
): ResponsesResponse {
  const { status, incomplete_details } = responsesStatusOf(finishReason);
  return {
    ...shell,
    status,
    incomplete_details,
    completed_at: status === 'completed' ? completedAt : null,
    output,
    usage: toResponsesUsage(usage),
  };
}

/**
 * Translates a chat completion into a Responses response: the assistant text
 * (and refusal) becomes a `message` output item with `output_text` (and
 * `refusal`) content, each function tool call a `function_call` item (id
 * `fc_` + call id), finish reason `length` or `content_filter` an
 * `incomplete` status, and usage the Responses usage. The request's settings
 * are echoed.
 *
 * @example
 * ```ts
 * const response = toResponsesResponse(chatCompletion, { request, model: 'my-alias' });
 * response.output[0]; // { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi!', … }], … }
 * ```
 */
export function toResponsesResponse(completion: OpenAIChatCompletion, options: ToResponsesResponseOptions = {}): ResponsesResponse {
  const choice = completion.choices[0];
  const finishReason = choice?.finish_reason ?? null;
  const { status } = responsesStatusOf(finishReason);
  const output: ResponsesOutputItem[] = [];
  const content: ResponsesOutputContent[] = [];
  if (choice?.message.content) {
    content.push({ type: 'output_text', text: choice.message.content, annotations: [], logprobs: [] });
  }
  if (choice?.message.refusal) content.push({ type: 'refusal', refusal: choice.message.refusal });
  const functionCalls = (choice?.message.tool_calls ?? []).filter((call) => call.type === 'function');
  if (content.length > 0) {
    // Like the stream translator: only the last output item can be cut short.
    const last = functionCalls.length === 0;
    const message: ResponsesOutputMessage = {
      type: 'message',
      id: responsesMessageItemId(completion.id),
      role: 'assistant',
      status: last && status !== 'completed' ? 'incomplete' : 'completed',
      content,
    };
    output.push(message);
  }
  const namespaced = namespacedToolNames(options.request?.tools);
  for (const call of functionCalls) {
    const item: ResponsesFunctionCall = {
      type: 'function_call',
      id: responsesFunctionCallItemId(call.id),
      call_id: call.id,
      ...restoreNamespace(call.function.name, namespaced),
      arguments: call.function.arguments,
      status: 'completed',
    };
    output.push(item);
  }
  const shell = responsesShell(options.request, {
    id: options.id ?? `resp_${completion.id}`,
    model: options.model ?? completion.model,
    createdAt: options.createdAt ?? completion.created,
  });
  const usage = completion.usage ? fromOpenAIChatUsage(completion.usage) : createUsage();
  return finishResponse(shell, output, finishReason, usage, options.completedAt ?? nowInSeconds());
}
