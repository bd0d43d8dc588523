/**
 * fast-check arbitraries of Anthropic requests and messages in the canonical
 * shapes that survive a round trip through the OpenAI chat format.
 */

import fc from 'fast-check';
import type {
  AnthropicContentBlock,
  AnthropicContentBlockParam,
  AnthropicConversationMessageParam,
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicStopReason,
  AnthropicTool,
} from '../src/wire/anthropic-types.js';

const text = fc.string({ minLength: 1, maxLength: 40 });
const identifier = fc.stringMatching(/^[a-zA-Z0-9_]{1,16}$/);
// Through JSON, as on the wire: JSON has no -0 (it reads back as 0).
const toolInput = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown),
  { maxKeys: 4 },
);

const textBlock = text.map((value): AnthropicContentBlockParam => ({ type: 'text', text: value }));
const imageBlock = fc.oneof(
  fc
    .record({
      mediaType: fc.constantFrom('image/jpeg', 'image/png', 'image/gif', 'image/webp'),
      data: fc.base64String({ minLength: 4, maxLength: 40 }),
    })
    .map(
      ({ mediaType, data }): AnthropicContentBlockParam => ({
        type: 'image',
        source: { type: 'base64', media_type: mediaType as 'image/png', data },
      }),
    ),
  fc.webUrl().map((url): AnthropicContentBlockParam => ({ type: 'image', source: { type: 'url', url } })),
);

/** Distinct tool_use ids for one assistant turn. */
const toolUses = fc
  .uniqueArray(identifier, { minLength: 1, maxLength: 3 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc
          .record({ name: identifier, input: toolInput })
          .map(({ name, input }) => ({ type: 'tool_use' as const, id: `toolu_${id}`, name, input })),
      ),
    ),
  );

const assistantContent = fc.oneof(
  text.map((value): AnthropicConversationMessageParam['content'] => value),
  fc.tuple(fc.option(textBlock, { nil: undefined }), toolUses).map(([lead, uses]) => [...(lead ? [lead] : []), ...uses]),
);

function userContent(toolUseIds: string[]): fc.Arbitrary<AnthropicConversationMessageParam['content']> {
  if (toolUseIds.length === 0) {
    return fc.oneof(text, fc.array(fc.oneof(textBlock, imageBlock), { minLength: 1, maxLength: 3 }));
  }
  const results = fc.tuple(
    ...toolUseIds.map((id) =>
      fc
        .oneof(
          text,
          fc.array(
            text.map((value) => ({ type: 'text' as const, text: value })),
            { minLength: 1, maxLength: 2 },
          ),
        )
        .map((content): AnthropicContentBlockParam => ({ type: 'tool_result', tool_use_id: id, content })),
    ),
  );
  return fc.tuple(results, fc.array(fc.oneof(textBlock, imageBlock), { maxLength: 2 })).map(([blocks, extra]) => [...blocks, ...extra]);
}

/** A conversation of alternating user and assistant turns, tool results answering tool uses. */
export const conversationArbitrary: fc.Arbitrary<AnthropicConversationMessageParam[]> = fc
  .array(assistantContent, { minLength: 0, maxLength: 4 })
  .chain((assistants) => {
    const idsBefore = (index: number) => {
      const previous = assistants[index - 1];
      return previous && typeof previous !== 'string' ? previous.flatMap((block) => (block.type === 'tool_use' ? [block.id] : [])) : [];
    };
    const users = assistants.map((_, index) => userContent(idsBefore(index)));
    const lastUser = fc.option(userContent(idsBefore(assistants.length)), { nil: undefined });
    return fc.tuple(fc.tuple(...users), lastUser).map(([userTurns, last]) => {
      const messages: AnthropicConversationMessageParam[] = [];
      assistants.forEach((content, index) => {
        messages.push({ role: 'user', content: userTurns[index]! });
        messages.push({ role: 'assistant', content });
      });
      if (last !== undefined || messages.length === 0) messages.push({ role: 'user', content: last ?? 'hello' });
      return messages;
    });
  });

const toolDefinition = fc.record(
  {
    name: identifier,
    description: text,
    input_schema: fc.record({
      type: fc.constant('object' as const),
      properties: fc.dictionary(identifier, fc.constant({ type: 'string' }), { maxKeys: 3 }),
    }),
  },
  { requiredKeys: ['name', 'input_schema'] },
) as fc.Arbitrary<AnthropicTool>;

const fraction = fc.integer({ min: 0, max: 100 }).map((value) => value / 100);

/** A request in the canonical shape that round-trips through the OpenAI chat format. */
export const anthropicRequestArbitrary: fc.Arbitrary<AnthropicMessagesRequest> = fc
  .record(
    {
      model: identifier,
      max_tokens: fc.integer({ min: 1, max: 128_000 }),
      messages: conversationArbitrary,
      system: fc.oneof(text, fc.array(textBlock, { minLength: 2, maxLength: 3 })),
      stop_sequences: fc.array(text, { minLength: 1, maxLength: 3 }),
      temperature: fraction,
      top_p: fraction,
      tools: fc.uniqueArray(toolDefinition, { minLength: 1, maxLength: 3, selector: (tool) => tool.name }),
      tool_choice_kind: fc.constantFrom('auto', 'any', 'none', 'tool'),
      no_parallel: fc.boolean(),
      metadata: fc.record({ user_id: identifier }),
      stream: fc.constant(true as const),
    },
    { requiredKeys: ['model', 'max_tokens', 'messages'] },
  )
  .map(({ tool_choice_kind, no_parallel, ...request }) => {
    const result = { ...request } as AnthropicMessagesRequest;
    // Only one of temperature and top_p: recent Claude models refuse both, so the translator keeps temperature.
    if (result.temperature !== undefined) delete result.top_p;
    if (result.tools && tool_choice_kind !== undefined) {
      const parallel = no_parallel ? { disable_parallel_tool_use: true } : {};
      result.tool_choice =
        tool_choice_kind === 'none'
          ? { type: 'none' }
          : tool_choice_kind === 'tool'
            ? { type: 'tool', name: result.tools[0]!.name, ...parallel }
            : { type: tool_choice_kind as 'auto' | 'any', ...parallel };
    }
    return result;
  });

const stopReason = fc.constantFrom<AnthropicStopReason>('end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal');

/** An Anthropic message with text and tool_use blocks and consistent usage. */
export const anthropicMessageArbitrary: fc.Arbitrary<AnthropicMessage> = fc
  .record({
    id: identifier.map((id) => `msg_${id}`),
    model: identifier,
    content: fc.array(
      fc.oneof(
        text.map((value): AnthropicContentBlock => ({ type: 'text', text: value })),
        fc.record({ id: identifier, name: identifier, input: toolInput }).map(
          ({ id, name, input }): AnthropicContentBlock => ({
            type: 'tool_use',
            id: `toolu_${id}`,
            name,
            input,
          }),
        ),
      ),
      { maxLength: 4 },
    ),
    stop_reason: stopReason,
    input: fc.integer({ min: 0, max: 100_000 }),
    cacheRead: fc.integer({ min: 0, max: 100_000 }),
    cacheWrite: fc.integer({ min: 0, max: 100_000 }),
    output: fc.integer({ min: 1, max: 10_000 }),
  })
  .map(({ input, cacheRead, cacheWrite, output, ...message }) => ({
    ...message,
    content: message.content.map((block, index) => (block.type === 'tool_use' ? { ...block, id: `${block.id}_${index}` } : block)),
    type: 'message',
    role: 'assistant',
    stop_sequence: null,
    usage: { input_tokens: input, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: cacheWrite, output_tokens: output },
  }));

/** Fractions at which to cut streamed text and JSON. */
export const cutsArbitrary = fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { maxLength: 6 });
