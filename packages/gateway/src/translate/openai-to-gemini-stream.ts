/**
 * OpenAI chat completion chunks → Gemini `streamGenerateContent` events.
 *
 * @module
 */

import { createOpenAIChatUsageAccumulator } from '../usage/stream-usage.js';
import { toGeminiUsage } from '../usage/gemini-usage.js';
import type { GeminiGenerateContentResponse, GeminiPart } from '../wire/gemini-types.js';
import type { OpenAIChatCompletionChunk, OpenAIChatFinishReason } from '../wire/openai-types.js';
import type { ToolNameMap } from './gemini-tool-names.js';
import { reasoningOf, toGeminiFinishReason } from './openai-to-gemini-response.js';
import { parseToolArguments } from './shared.js';
import type { StreamTranslator } from './stream-translator.js';

/**
 * Creates the translator of one stream. Text and reasoning deltas become
 * events as they arrive (reasoning as `thought` parts); tool calls are
 * gathered, since Gemini sends a `functionCall` whole, and sent in the last
 * event with the `finishReason` and the `usageMetadata` (OpenAI reports its
 * usage in a chunk after the finish reason, so the last event waits for the
 * end of the upstream stream).
 *
 * @example
 * ```ts
 * const translator = createOpenAIToGeminiStreamTranslator({ names });
 * for (const chunk of chunks) send(translator.push(chunk));
 * send(translator.end());
 * ```
 */
export function createOpenAIToGeminiStreamTranslator(options: {
  names: ToolNameMap;
}): StreamTranslator<OpenAIChatCompletionChunk, GeminiGenerateContentResponse> {
  const usage = createOpenAIChatUsageAccumulator();
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  let finish: OpenAIChatFinishReason | null = null;
  let model = '';
  let id = '';
  const event = (parts: GeminiPart[]): GeminiGenerateContentResponse => ({
    candidates: [{ content: { role: 'model', parts }, index: 0 }],
    modelVersion: model,
    responseId: id,
  });
  return {
    push(chunk) {
      usage.push(chunk);
      model ||= chunk.model ?? '';
      id ||= chunk.id ?? '';
      const out: GeminiGenerateContentResponse[] = [];
      for (const choice of chunk.choices ?? []) {
        if (choice.index !== 0) continue;
        const delta = choice.delta ?? {};
        const parts: GeminiPart[] = [];
        const reasoning = reasoningOf(delta);
        if (reasoning) parts.push({ text: reasoning, thought: true });
        if (typeof delta.content === 'string' && delta.content !== '') parts.push({ text: delta.content });
        if (parts.length > 0) out.push(event(parts));
        for (const call of delta.tool_calls ?? []) {
          const entry = (calls[call.index] ??= { id: '', name: '', arguments: '' });
          if (call.id) entry.id = call.id;
          if (call.function?.name) entry.name += call.function.name;
          if (call.function?.arguments) entry.arguments += call.function.arguments;
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      return out;
    },
    end() {
      const parts: GeminiPart[] = calls
        .filter((call) => call !== undefined)
        .map((call, index) => {
          const callId = call.id || `call_gemini_${index + 1}`;
          return {
            functionCall: {
              id: callId,
              name: options.names.toClient(call.name),
              args: parseToolArguments(call.arguments, { toolCallId: callId, toolName: call.name, code: 'UPSTREAM_ERROR' }),
            },
          };
        });
      // Google's own last event carries an empty text part when there is nothing else to send.
      const last = event(parts.length > 0 ? parts : [{ text: '' }]);
      last.candidates![0]!.finishReason = toGeminiFinishReason(finish);
      last.usageMetadata = toGeminiUsage(usage.usage);
      return [last];
    },
    get usage() {
      return usage.usage;
    },
  };
}
