/**
 * Type-level checks of the wire types against the official SDK declarations
 * (openai 6.30.1, @anthropic-ai/sdk 1.10.0). They fail the type check
 * (`npm run typecheck`, or `vitest --typecheck`) when a field name drifts:
 *
 * - every field we declare exists in the SDK type (no misspelled names);
 * - requests the SDKs build are assignable to our request types (we accept
 *   whatever the official clients send).
 */

import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages/messages';
import type OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';
import { expectTypeOf, test } from 'vitest';
// Through the entry that exports them (`@preloop/gateway/internal`), so what it ships is what is checked.
import type * as A from '../internal.js';
import type * as R from '../internal.js';
import type * as O from '../internal.js';

/** The field names of `Ours` that `Theirs` does not have; `never` when all exist. */
type UnknownKeys<Ours, Theirs> = Exclude<keyof Ours, keyof Theirs>;

type ChatParams = ChatCompletionCreateParamsBase;

test('OpenAI chat completions field names exist in the SDK', () => {
  expectTypeOf<UnknownKeys<O.OpenAIChatCompletionRequest, ChatParams>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatCompletion, OpenAI.Chat.ChatCompletion>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatChoice, OpenAI.Chat.ChatCompletion.Choice>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatResponseMessage, OpenAI.Chat.ChatCompletionMessage>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatCompletionChunk, ChatCompletionChunk>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatChunkChoice, ChatCompletionChunk.Choice>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatChunkDelta, ChatCompletionChunk.Choice.Delta>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatChunkToolCall, ChatCompletionChunk.Choice.Delta.ToolCall>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatUsage, OpenAI.CompletionUsage>>().toEqualTypeOf<never>();
  expectTypeOf<
    UnknownKeys<NonNullable<O.OpenAIChatUsage['prompt_tokens_details']>, OpenAI.CompletionUsage.PromptTokensDetails>
  >().toEqualTypeOf<never>();
  expectTypeOf<
    UnknownKeys<NonNullable<O.OpenAIChatUsage['completion_tokens_details']>, OpenAI.CompletionUsage.CompletionTokensDetails>
  >().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatAssistantMessage, OpenAI.Chat.ChatCompletionAssistantMessageParam>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatToolMessage, OpenAI.Chat.ChatCompletionToolMessageParam>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIChatStreamOptions, OpenAI.Chat.ChatCompletionStreamOptions>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIEmbeddingsRequest, OpenAI.EmbeddingCreateParams>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIEmbeddingsResponse, OpenAI.CreateEmbeddingResponse>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<O.OpenAIModel, OpenAI.Model>>().toEqualTypeOf<never>();
});

test('requests built with the openai SDK types are accepted as they are', () => {
  expectTypeOf<ChatParams>().toExtend<O.OpenAIChatCompletionRequest>();
  expectTypeOf<OpenAI.Chat.ChatCompletionMessageParam>().toExtend<O.OpenAIChatMessage>();
  expectTypeOf<OpenAI.EmbeddingCreateParams>().toExtend<O.OpenAIEmbeddingsRequest>();
  expectTypeOf<ResponseCreateParamsBase>().toExtend<R.ResponsesRequest>();
});

test('OpenAI Responses field names exist in the SDK', () => {
  expectTypeOf<UnknownKeys<R.ResponsesRequest, ResponseCreateParamsBase>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesResponse, OpenAI.Responses.Response>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesUsage, OpenAI.Responses.ResponseUsage>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesOutputMessage, OpenAI.Responses.ResponseOutputMessage>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesOutputText, OpenAI.Responses.ResponseOutputText>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesFunctionCall, OpenAI.Responses.ResponseFunctionToolCall>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesFunctionCallOutput, OpenAI.Responses.ResponseInputItem.FunctionCallOutput>>().toEqualTypeOf<never>();
  expectTypeOf<
    UnknownKeys<R.ResponsesInputMessage, OpenAI.Responses.EasyInputMessage & { id: string; status: string }>
  >().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesInputImage, OpenAI.Responses.ResponseInputImage>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesInputFile, OpenAI.Responses.ResponseInputFile>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesFunctionTool, OpenAI.Responses.FunctionTool>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesNamespaceTool, OpenAI.Responses.NamespaceTool>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesNamespaceFunction, OpenAI.Responses.NamespaceTool.Function>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesOutputItemEvent, OpenAI.Responses.ResponseOutputItemAddedEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesContentPartEvent, OpenAI.Responses.ResponseContentPartAddedEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesOutputTextDeltaEvent, OpenAI.Responses.ResponseTextDeltaEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesOutputTextDoneEvent, OpenAI.Responses.ResponseTextDoneEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesRefusalDeltaEvent, OpenAI.Responses.ResponseRefusalDeltaEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesRefusalDoneEvent, OpenAI.Responses.ResponseRefusalDoneEvent>>().toEqualTypeOf<never>();
  expectTypeOf<
    UnknownKeys<R.ResponsesFunctionCallArgumentsDeltaEvent, OpenAI.Responses.ResponseFunctionCallArgumentsDeltaEvent>
  >().toEqualTypeOf<never>();
  expectTypeOf<
    UnknownKeys<R.ResponsesFunctionCallArgumentsDoneEvent, OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent>
  >().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesLifecycleEvent, OpenAI.Responses.ResponseCompletedEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<R.ResponsesErrorEvent, OpenAI.Responses.ResponseErrorEvent>>().toEqualTypeOf<never>();
  expectTypeOf<R.ResponsesStreamEvent['type']>().toExtend<OpenAI.Responses.ResponseStreamEvent['type']>();
});

type MessageParams = MessageCreateParamsBase;

test('Anthropic field names exist in the SDK', () => {
  // temperature, top_p and top_k are accepted by API versions before 2026-10-21, which this SDK no longer declares.
  expectTypeOf<UnknownKeys<A.AnthropicMessagesRequest, MessageParams>>().toEqualTypeOf<'temperature' | 'top_p' | 'top_k'>();
  expectTypeOf<UnknownKeys<A.AnthropicMessage, Anthropic.Message>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicUsage, Anthropic.Usage>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicMessageDeltaUsage, Anthropic.MessageDeltaUsage>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicTool, Anthropic.Tool>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicTextBlockParam, Anthropic.TextBlockParam>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicImageBlockParam, Anthropic.ImageBlockParam>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicDocumentBlockParam, Anthropic.DocumentBlockParam>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicToolUseBlockParam, Anthropic.ToolUseBlockParam>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicToolResultBlockParam, Anthropic.ToolResultBlockParam>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicToolUseBlock, Anthropic.ToolUseBlock>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicTextBlock, Anthropic.TextBlock>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicMessageStartEvent, Anthropic.RawMessageStartEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicContentBlockStartEvent, Anthropic.RawContentBlockStartEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicContentBlockDeltaEvent, Anthropic.RawContentBlockDeltaEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicContentBlockStopEvent, Anthropic.RawContentBlockStopEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicMessageDeltaEvent, Anthropic.RawMessageDeltaEvent>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicMessageDeltaEvent['delta'], Anthropic.RawMessageDeltaEvent.Delta>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicCountTokensResponse, Anthropic.MessageTokensCount>>().toEqualTypeOf<never>();
  expectTypeOf<UnknownKeys<A.AnthropicModelInfo, Anthropic.ModelInfo>>().toEqualTypeOf<never>();
  expectTypeOf<A.AnthropicStopReason>().toEqualTypeOf<Anthropic.StopReason>();
});

test('Anthropic request parts built with the SDK types are accepted as they are', () => {
  expectTypeOf<Anthropic.TextBlockParam>().toExtend<A.AnthropicTextBlockParam>();
  expectTypeOf<Anthropic.ImageBlockParam>().toExtend<A.AnthropicImageBlockParam>();
  expectTypeOf<Anthropic.ToolUseBlockParam>().toExtend<A.AnthropicToolUseBlockParam>();
  expectTypeOf<Anthropic.Tool>().toExtend<A.AnthropicTool>();
  expectTypeOf<Anthropic.ToolChoice>().toExtend<A.AnthropicToolChoice>();
  expectTypeOf<Anthropic.ThinkingConfigParam>().toExtend<A.AnthropicThinkingConfig>();
  expectTypeOf<Anthropic.OutputConfig>().toExtend<A.AnthropicOutputConfig>();
  expectTypeOf<Anthropic.MessageDeltaUsage>().toExtend<A.AnthropicMessageDeltaUsage>();
  expectTypeOf<Anthropic.Usage>().toExtend<A.AnthropicUsage>();
});
