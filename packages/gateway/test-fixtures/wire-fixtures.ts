/**
 * Realistic wire payloads, shaped like the providers' documented examples:
 * complete messages, and raw server-sent event transcripts as they arrive
 * over HTTP.
 */

import type { AnthropicMessage } from '../src/wire/anthropic-types.js';
import type { OpenAIChatCompletion } from '../src/wire/openai-types.js';

/** 1×1 transparent PNG, base64. */
export const tinyPngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** An Anthropic answer with text and a tool call, and prompt-cache usage. */
export const anthropicToolUseMessage: AnthropicMessage = {
  id: 'msg_01Aq9w938a90dw8q',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'text', text: "I'll check the current weather in San Francisco for you." },
    {
      type: 'tool_use',
      id: 'toolu_01A09q90qw90lq917835lq9',
      name: 'get_weather',
      input: { location: 'San Francisco, CA', unit: 'celsius' },
    },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 472,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 2048,
    output_tokens: 89,
  },
};

/** An Anthropic text answer that hit `max_tokens`, with a cache write and thinking. */
export const anthropicTruncatedMessage: AnthropicMessage = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-opus-4-5-20251101',
  content: [
    { type: 'thinking', thinking: 'The user wants a haiku.', signature: 'EqQBCgIYAhIM' },
    { type: 'text', text: 'Autumn moonlight—\na worm digs silently\ninto the' },
  ],
  stop_reason: 'max_tokens',
  stop_sequence: null,
  usage: {
    input_tokens: 25,
    cache_creation_input_tokens: 1500,
    cache_read_input_tokens: 0,
    output_tokens: 64,
    output_tokens_details: { thinking_tokens: 40 },
  },
};

/** The raw SSE transcript of an Anthropic streamed tool call (documented shape, with a ping). */
export const anthropicToolUseTranscript = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":2},"content":[],"stop_reason":null}}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '',
  'event: ping',
  'data: {"type": "ping"}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let\'s check"}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the weather."}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":0}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San Francisco, CA\\"}"}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":1}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

/** An OpenAI completion with two parallel tool calls and cached/reasoning usage. */
export const openAIToolCallsCompletion: OpenAIChatCompletion = {
  id: 'chatcmpl-BHkW5vPqYcnB8GYJbT2cBRmFxP4v',
  object: 'chat.completion',
  created: 1_741_570_283,
  model: 'gpt-4.1-2025-04-14',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: 'call_ZiIpFHsgmBFDYmgRNmXe4wkA',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris, France"}' },
          },
          {
            id: 'call_3q9bVfT2Jk1Ll0mX7cO8eN4s',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Bogotá, Colombia"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    },
  ],
  usage: {
    prompt_tokens: 2_114,
    completion_tokens: 58,
    total_tokens: 2_172,
    prompt_tokens_details: { cached_tokens: 1_920, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
};

/** An OpenAI text completion. */
export const openAITextCompletion: OpenAIChatCompletion = {
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1_741_570_283,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'The image shows a wooden boardwalk through a lush green marsh.',
        refusal: null,
        annotations: [],
      },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: {
    prompt_tokens: 1_117,
    completion_tokens: 46,
    total_tokens: 1_163,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_fc9f1d7035',
};

/** The raw SSE transcript of an OpenAI streamed tool call with `include_usage` (documented shape). */
export const openAIToolCallTranscript = [
  'data: {"id":"chatcmpl-AxMZ","object":"chat.completion.chunk","created":1738700000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4691090a87","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-AxMZ","object":"chat.completion.chunk","created":1738700000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4691090a87","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-AxMZ","object":"chat.completion.chunk","created":1738700000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4691090a87","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"location"}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-AxMZ","object":"chat.completion.chunk","created":1738700000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4691090a87","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\":\\"Paris, France\\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-AxMZ","object":"chat.completion.chunk","created":1738700000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4691090a87","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-AxMZ","object":"chat.completion.chunk","created":1738700000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4691090a87","choices":[],"usage":{"prompt_tokens":84,"completion_tokens":17,"total_tokens":101,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');
