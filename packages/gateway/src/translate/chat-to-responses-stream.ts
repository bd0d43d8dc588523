/**
 * OpenAI chat completion chunks → OpenAI Responses streaming events.
 *
 * @module
 */

import { createOpenAIChatUsageAccumulator } from '../usage/stream-usage.js';
import type {
  ResponsesFunctionCall,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesRequest,
  ResponsesResponse,
  ResponsesStreamEvent,
} from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletionChunk, OpenAIChatFinishReason } from '../wire/openai-types.js';
import {
  finishResponse,
  responsesFunctionCallItemId,
  responsesMessageItemId,
  responsesShell,
  responsesStatusOf,
} from './chat-to-responses-response.js';
import { namespacedToolNames, restoreNamespace } from './namespace-tools.js';
import { nowInSeconds } from './shared.js';
import type { StreamTranslator } from './stream-translator.js';

/** Options of {@link createOpenAIChatToResponsesStreamTranslator}. */
export interface ChatToResponsesStreamOptions {
  /** The Responses request being answered; its settings are echoed. @default none */
  request?: ResponsesRequest;
  /** The response id. @default `resp_` + the first chunk's id */
  id?: string;
  /** The model name reported to the client. @default the chunks' `model` */
  model?: string;
  /** `created_at`, in epoch seconds. @default the first chunk's `created` */
  createdAt?: number;
  /** `completed_at`, in epoch seconds. @default the time `end()` is called */
  completedAt?: number;
}

type OpenPart = { kind: 'text' | 'refusal'; contentIndex: number; text: string };
type OpenItem =
  | { kind: 'message'; outputIndex: number; item: ResponsesOutputMessage; part: OpenPart | null }
  | { kind: 'function'; outputIndex: number; item: ResponsesFunctionCall };

const copy = <T>(value: T): T => structuredClone(value);

/**
 * Creates a translator from chat completion chunks to Responses streaming
 * events, in the order the official SDK's `ResponseStream` expects:
 * `response.created` and `response.in_progress` first; for text, a `message`
 * item (`response.output_item.added`), an `output_text` part
 * (`response.content_part.added`), `response.output_text.delta`s and the
 * matching `.done` events; for each tool call, a `function_call` item with
 * `response.function_call_arguments.delta`s and `.done`; finally (from
 * `end()`, because chat usage arrives after the finish reason)
 * `response.completed`, or `response.incomplete` when the finish reason was
 * `length` or `content_filter`, with the full response and usage. The item
 * ids match {@link toResponsesResponse}.
 *
 * @example
 * ```ts
 * const translator = createOpenAIChatToResponsesStreamTranslator({ request, model: 'my-alias' });
 * for await (const chunk of chatChunks) {
 *   for (const event of translator.push(chunk)) write(encodeResponsesEvent(event));
 * }
 * for (const event of translator.end()) write(encodeResponsesEvent(event));
 * ```
 */
export function createOpenAIChatToResponsesStreamTranslator(
  options: ChatToResponsesStreamOptions = {},
): StreamTranslator<OpenAIChatCompletionChunk, ResponsesStreamEvent> {
  const usage = createOpenAIChatUsageAccumulator();
  const output: ResponsesOutputItem[] = [];
  const functionItems = new Map<number, { outputIndex: number; item: ResponsesFunctionCall }>();
  const namespaced = namespacedToolNames(options.request?.tools);
  let shell: ResponsesResponse | null = null;
  let chatId = '';
  let sequence = 0;
  let messageCount = 0;
  let open: OpenItem | null = null;
  let finishReason: OpenAIChatFinishReason | null = null;
  let ended = false;

  const closePart = (out: ResponsesStreamEvent[], state: Extract<OpenItem, { kind: 'message' }>) => {
    const part = state.part;
    if (!part) return;
    const base = { item_id: state.item.id, output_index: state.outputIndex, content_index: part.contentIndex };
    if (part.kind === 'text') {
      out.push({ type: 'response.output_text.done', sequence_number: sequence++, ...base, text: part.text, logprobs: [] });
    } else {
      out.push({ type: 'response.refusal.done', sequence_number: sequence++, ...base, refusal: part.text });
    }
    out.push({
      type: 'response.content_part.done',
      sequence_number: sequence++,
      ...base,
      part: copy(state.item.content[part.contentIndex]!),
    });
    state.part = null;
  };

  const close = (out: ResponsesStreamEvent[], last: boolean) => {
    if (!open) return;
    if (open.kind === 'message') {
      closePart(out, open);
      open.item.status = last && responsesStatusOf(finishReason).status !== 'completed' ? 'incomplete' : 'completed';
    } else {
      out.push({
        type: 'response.function_call_arguments.done',
        sequence_number: sequence++,
        item_id: open.item.id!,
        output_index: open.outputIndex,
        name: open.item.name,
        arguments: open.item.arguments,
      });
      open.item.status = 'completed';
    }
    out.push({ type: 'response.output_item.done', sequence_number: sequence++, output_index: open.outputIndex, item: copy(open.item) });
    open = null;
  };

  const appendText = (out: ResponsesStreamEvent[], kind: 'text' | 'refusal', delta: string) => {
    if (open?.kind !== 'message') {
      close(out, false);
      const id = responsesMessageItemId(messageCount === 0 ? chatId : `${chatId}_${messageCount}`);
      messageCount++;
      const item: ResponsesOutputMessage = { type: 'message', id, role: 'assistant', status: 'in_progress', content: [] };
      open = { kind: 'message', outputIndex: output.length, item, part: null };
      output.push(item);
      out.push({ type: 'response.output_item.added', sequence_number: sequence++, output_index: open.outputIndex, item: copy(item) });
    }
    const state: Extract<OpenItem, { kind: 'message' }> = open;
    if (state.part?.kind !== kind) {
      closePart(out, state);
      const contentIndex = state.item.content.length;
      state.item.content.push(
        kind === 'text' ? { type: 'output_text', text: '', annotations: [], logprobs: [] } : { type: 'refusal', refusal: '' },
      );
      state.part = { kind, contentIndex, text: '' };
      out.push({
        type: 'response.content_part.added',
        sequence_number: sequence++,
        item_id: state.item.id,
        output_index: state.outputIndex,
        content_index: contentIndex,
        part: copy(state.item.content[contentIndex]!),
      });
    }
    const part = state.part!;
    part.text += delta;
    const content = state.item.content[part.contentIndex]!;
    if (content.type === 'output_text') content.text = part.text;
    else content.refusal = part.text;
    const base = { item_id: state.item.id, output_index: state.outputIndex, content_index: part.contentIndex, delta };
    out.push(
      kind === 'text'
        ? { type: 'response.output_text.delta', sequence_number: sequence++, ...base, logprobs: [] }
        : { type: 'response.refusal.delta', sequence_number: sequence++, ...base },
    );
  };

  return {
    push(chunk) {
      const out: ResponsesStreamEvent[] = [];
      usage.push(chunk);
      if (ended) return out;
      if (!shell) {
        chatId = chunk.id;
        shell = responsesShell(options.request, {
          id: options.id ?? `resp_${chunk.id}`,
          model: options.model ?? chunk.model,
          createdAt: options.createdAt ?? chunk.created,
        });
        out.push({ type: 'response.created', sequence_number: sequence++, response: copy(shell) });
        out.push({ type: 'response.in_progress', sequence_number: sequence++, response: copy(shell) });
      }
      const choice = chunk.choices?.find((candidate) => candidate.index === 0);
      if (!choice) return out;
      const delta = choice.delta ?? {};
      if (delta.content) appendText(out, 'text', delta.content);
      if (delta.refusal) appendText(out, 'refusal', delta.refusal);
      for (const call of delta.tool_calls ?? []) {
        let state = functionItems.get(call.index);
        if (!state) {
          close(out, false);
          const callId = call.id ?? `call_${chatId}_${call.index}`;
          const item: ResponsesFunctionCall = {
            type: 'function_call',
            id: responsesFunctionCallItemId(callId),
            call_id: callId,
            ...restoreNamespace(call.function?.name ?? '', namespaced),
            arguments: '',
            status: 'in_progress',
          };
          state = { outputIndex: output.length, item };
          functionItems.set(call.index, state);
          output.push(item);
          open = { kind: 'function', ...state };
          out.push({ type: 'response.output_item.added', sequence_number: sequence++, output_index: state.outputIndex, item: copy(item) });
        }
        const fragment = call.function?.arguments;
        if (fragment) {
          state.item.arguments += fragment;
          out.push({
            type: 'response.function_call_arguments.delta',
            sequence_number: sequence++,
            item_id: state.item.id!,
            output_index: state.outputIndex,
            delta: fragment,
          });
        }
      }
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
        close(out, true);
      }
      return out;
    },
    end() {
      const out: ResponsesStreamEvent[] = [];
      if (!shell || ended) return out;
      ended = true;
      close(out, true);
      const response = finishResponse(shell, copy(output), finishReason, usage.usage, options.completedAt ?? nowInSeconds());
      out.push({
        type: response.status === 'completed' ? 'response.completed' : 'response.incomplete',
        sequence_number: sequence++,
        response,
      });
      return out;
    },
    get usage() {
      return usage.usage;
    },
  };
}
