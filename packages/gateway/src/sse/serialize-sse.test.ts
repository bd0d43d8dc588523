import { describe, expect, it } from 'vitest';
import {
  encodeAnthropicEvent,
  encodeOpenAIChatChunk,
  encodeOpenAIStreamError,
  encodeResponsesEvent,
  openAIStreamDone,
  serializeServerSentEvent,
} from './serialize-sse.js';

describe('serializeServerSentEvent', () => {
  it('writes id, event and one data line per line of data', () => {
    expect(serializeServerSentEvent({ id: '7', event: 'update', data: 'a\nb\r\nc' })).toBe(
      'id: 7\nevent: update\ndata: a\ndata: b\ndata: c\n\n',
    );
    expect(serializeServerSentEvent({ data: '' })).toBe('data: \n\n');
  });

  it('refuses line breaks in the event name', () => {
    expect(() => serializeServerSentEvent({ event: 'a\nb', data: '' })).toThrow(/line break/);
  });
});

describe('provider encoders', () => {
  it('writes OpenAI chunks as data-only events, with the [DONE] terminator', () => {
    const chunk = { id: 'c', object: 'chat.completion.chunk' as const, created: 1, model: 'm', choices: [] };
    expect(encodeOpenAIChatChunk(chunk)).toBe(`data: ${JSON.stringify(chunk)}\n\n`);
    expect(openAIStreamDone).toBe('data: [DONE]\n\n');
    expect(encodeOpenAIStreamError({ error: { message: 'boom', type: 'server_error', param: null, code: null } })).toBe(
      'data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n',
    );
  });

  it('writes Anthropic and Responses events with their event line', () => {
    expect(encodeAnthropicEvent({ type: 'content_block_stop', index: 1 })).toBe(
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
    );
    const delta = {
      type: 'response.output_text.delta' as const,
      sequence_number: 3,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'Hi\n',
      logprobs: [],
    };
    expect(encodeResponsesEvent(delta)).toBe(`event: response.output_text.delta\ndata: ${JSON.stringify(delta)}\n\n`);
    expect(
      encodeResponsesEvent(delta)
        .split('\n')
        .filter((line) => line.startsWith('data:')),
    ).toHaveLength(1);
  });
});
