import { describe, expect, it } from 'vitest';
import { byteStream, collect } from '../../test-fixtures/stream-helpers.js';
import { anthropicToolUseTranscript, openAIToolCallTranscript } from '../../test-fixtures/wire-fixtures.js';
import { readAnthropicStream, readOpenAIChatStream } from './parse-provider-streams.js';

describe('readOpenAIChatStream', () => {
  it('reads chunks up to [DONE]', async () => {
    const chunks = await collect(readOpenAIChatStream(byteStream(`${openAIToolCallTranscript}data: {"ignored":true}\n\n`)));
    expect(chunks).toHaveLength(6);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 84 } });
  });

  it('throws the upstream error of an error event', async () => {
    const body = 'data: {"error":{"message":"Rate limit reached","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}\n\n';
    await expect(collect(readOpenAIChatStream(byteStream(body)))).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: 'Rate limit reached',
      details: { type: 'rate_limit_error' },
    });
  });

  it('throws on an event that is not JSON', async () => {
    await expect(collect(readOpenAIChatStream(byteStream('data: {not json\n\n')))).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  });
});

describe('readAnthropicStream', () => {
  it('reads every event, ping included', async () => {
    const events = await collect(readAnthropicStream(byteStream(anthropicToolUseTranscript, 64)));
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('yields error events for the translator to raise', async () => {
    const body = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    expect(await collect(readAnthropicStream(byteStream(body)))).toEqual([
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ]);
  });
});
