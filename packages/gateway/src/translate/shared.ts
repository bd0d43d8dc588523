/**
 * Small helpers shared by the translators: stop-reason mappings, data URLs,
 * tool-argument parsing and text extraction.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import type { AnthropicStopReason } from '../wire/anthropic-types.js';
import type { OpenAIChatFinishReason } from '../wire/openai-types.js';

/**
 * Maps an Anthropic stop reason to an OpenAI finish reason. `pause_turn` (a
 * server tool paused the turn) becomes `stop`; `refusal` becomes
 * `content_filter`; a full context window becomes `length`.
 *
 * @example
 * ```ts
 * toOpenAIFinishReason('tool_use'); // 'tool_calls'
 * ```
 */
export function toOpenAIFinishReason(stopReason: AnthropicStopReason | null | undefined): OpenAIChatFinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * Maps an OpenAI finish reason to an Anthropic stop reason. OpenAI does not say
 * which stop sequence matched, so `stop` is always `end_turn`.
 *
 * @example
 * ```ts
 * toAnthropicStopReason('length'); // 'max_tokens'
 * ```
 */
export function toAnthropicStopReason(finishReason: OpenAIChatFinishReason | null | undefined): AnthropicStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** A decoded `data:` URL. */
export interface DataUrl {
  mediaType: string;
  data: string;
}

/** Parses a base64 `data:` URL (`data:image/png;base64,AAAA`); null for anything else. */
export function parseDataUrl(url: string): DataUrl | null {
  const match = /^data:([^;,]+)((?:;[^;,]+)*);base64,(.*)$/s.exec(url);
  if (!match) return null;
  return { mediaType: match[1]!.toLowerCase(), data: match[3]! };
}

/** Builds a base64 `data:` URL. */
export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/**
 * Parses an OpenAI tool call's JSON `arguments` into the object Anthropic
 * expects as `input`. An empty string is `{}` (models emit it for tools
 * without parameters); anything that is not a JSON object is an error with
 * the given code.
 */
export function parseToolArguments(
  args: string,
  context: { toolCallId: string; toolName: string; code: 'VALIDATION_ERROR' | 'UPSTREAM_ERROR' },
): Record<string, unknown> {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch (error) {
    throw new PreloopError(context.code, `Tool call ${context.toolCallId} (${context.toolName}) has arguments that are not valid JSON.`, {
      cause: error,
      details: { toolCallId: context.toolCallId },
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PreloopError(
      context.code,
      `Tool call ${context.toolCallId} (${context.toolName}) has arguments that are not a JSON object.`,
      { details: { toolCallId: context.toolCallId } },
    );
  }
  return parsed as Record<string, unknown>;
}

/** Serializes an Anthropic tool `input` as OpenAI JSON `arguments`. */
export function stringifyToolInput(input: unknown): string {
  return JSON.stringify(input ?? {});
}

/** The text of a string or of an array of parts, joined with `separator`. */
export function textOf(
  content: string | ReadonlyArray<{ type: string; text?: string; refusal?: string }> | null | undefined,
  separator = '',
): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'refusal' && typeof part.refusal === 'string') texts.push(part.refusal);
  }
  return texts.join(separator);
}

/** Throws a 400 `VALIDATION_ERROR` saying what cannot be translated. */
export function untranslatable(message: string, details?: unknown): never {
  throw new PreloopError('VALIDATION_ERROR', message, details === undefined ? {} : { details });
}

/** Current time in epoch seconds, the unit of OpenAI's `created` fields. */
export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
