/**
 * The span of a model call (OpenTelemetry GenAI conventions): `chat <alias>`
 * or `embeddings <alias>`, with the provider, the upstream model, tokens,
 * finish reasons and the error type; read by core's pipeline only when the
 * kernel's `tracing` is on.
 *
 * @module
 */

import type { GovernedCallRecord, GovernedCallSpan } from '@preloop/core';
import type { ResolvedModel } from '../models/model-alias.js';
import type { UsageRecord } from '../records/usage-record.js';
import type { GatewayOperation } from './call-plans.js';
import type { GatewayReply } from './exchange.js';

type Body = Record<string, unknown>;

/** The answer's JSON body, for a whole (not streamed) successful reply. */
function responseOf(reply: GatewayReply | null): Body | null {
  if (!reply || !('body' in reply) || reply.status < 200 || reply.status > 299) return null;
  try {
    const parsed = JSON.parse(reply.body) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Body) : null;
  } catch {
    return null;
  }
}

const strings = (values: unknown[]): string[] => values.filter((value): value is string => typeof value === 'string');

/** Finish reasons of an OpenAI chat (`choices[].finish_reason`), Anthropic (`stop_reason`), Responses (`status`) or Gemini (`candidates[].finishReason`) answer. */
function finishReasonsOf(response: Body | null): string[] | null {
  if (!response) return null;
  if (Array.isArray(response.choices)) return strings(response.choices.map((choice) => (choice as Body)?.finish_reason));
  if (Array.isArray(response.candidates)) return strings(response.candidates.map((candidate) => (candidate as Body)?.finishReason));
  if (typeof response.stop_reason === 'string') return [response.stop_reason];
  if (response.object === 'response' && typeof response.status === 'string') return [response.status];
  return null;
}

const numberOr = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * Describes a model call for its span. The request model is the alias the
 * client asked for; the response model is what the provider says it ran
 * (the upstream model when the answer does not say, as for streams).
 *
 * @example
 * ```ts
 * const span = describeModelCallSpan(record, 'chat.completions', false);
 * ```
 */
export function describeModelCallSpan(
  record: GovernedCallRecord<ResolvedModel, Body, GatewayReply>,
  operation: GatewayOperation,
  captureContent: boolean,
): GovernedCallSpan {
  const usage = record.settlement?.detail as UsageRecord | undefined;
  const args = record.args ?? {};
  const response = usage ? responseOf(record.result) : null;
  const config = (args.generationConfig ?? {}) as Body;
  return {
    operation: operation === 'embeddings' ? 'embeddings' : 'chat',
    kind: 'client',
    target: record.name,
    provider: usage?.provider ?? record.target?.provider.id ?? null,
    requestModel: record.name,
    responseModel:
      typeof response?.model === 'string'
        ? response.model
        : typeof response?.modelVersion === 'string'
          ? response.modelVersion
          : (usage?.upstreamModel ?? null),
    responseId: typeof response?.id === 'string' ? response.id : typeof response?.responseId === 'string' ? response.responseId : null,
    finishReasons: finishReasonsOf(response),
    inputTokens: usage ? usage.inputTokens : null,
    outputTokens: usage ? usage.outputTokens : null,
    errorType: usage && usage.status !== 'success' ? (usage.errorCode ?? usage.status) : null,
    attributes: {
      'gen_ai.request.stream': usage?.streamed,
      'gen_ai.request.max_tokens': numberOr(
        args.max_tokens ?? args.max_completion_tokens ?? args.max_output_tokens ?? config.maxOutputTokens,
      ),
      'gen_ai.request.temperature': numberOr(args.temperature ?? config.temperature),
      'gen_ai.usage.cache_read.input_tokens': usage?.cachedInputTokens || null,
      'preloop.model.alias': usage?.alias,
      'preloop.upstream.model': usage?.upstreamModel,
      'preloop.usage.id': usage?.id,
      'preloop.cost.micro_dollars': usage?.costMicros,
      'preloop.fallback_from': usage?.fallbackFrom,
      'preloop.approval.id': record.approvalId,
    },
    ...(captureContent
      ? {
          content: {
            'gen_ai.input.messages': args.messages ?? args.input ?? args.contents,
            'gen_ai.system_instructions': args.system ?? args.systemInstruction,
            'gen_ai.output.messages': response?.choices ?? response?.content ?? response?.output ?? response?.candidates,
          },
        }
      : {}),
  };
}
