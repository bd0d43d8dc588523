import { PreloopError } from '@preloop/core';
import { describe, expect, it } from 'vitest';
import { anthropicEventsOf, openAIChunksOf } from '../../test-fixtures/stream-helpers.js';
import { anthropicToolUseMessage, openAIToolCallsCompletion } from '../../test-fixtures/wire-fixtures.js';
import { createSseDecoder, type ServerSentEvent } from '../sse/parse-sse.js';
import {
  createAnthropicPassthrough,
  createAnthropicToOpenAIChatRelay,
  createAnthropicToResponsesRelay,
  createOpenAIChatPassthrough,
  createOpenAIChatToAnthropicRelay,
} from './stream-relays.js';

const events = (values: unknown[], named = false): ServerSentEvent[] =>
  values.map((value) =>
    named
      ? { event: (value as { type: string }).type, data: JSON.stringify(value) }
      : { data: typeof value === 'string' ? value : JSON.stringify(value) },
  );

describe('stream relays', () => {
  it('passes OpenAI chunks through byte for byte, dropping only the usage chunk the client did not ask for', () => {
    const chunks = openAIChunksOf(openAIToolCallsCompletion, [0.5]);
    const upstream = [...events(chunks), { data: '[DONE]' }];
    const kept = createOpenAIChatPassthrough({ stripUsage: false });
    const keptText = kept.push(upstream) + kept.end();
    expect(keptText).toBe(`${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`);
    const stripped = createOpenAIChatPassthrough({ stripUsage: true });
    const strippedText = stripped.push(upstream) + stripped.end();
    expect(strippedText).not.toContain('"choices":[]');
    expect(stripped.meter.complete).toBe(true);
    expect(stripped.meter.usage.inputTokens).toBe(kept.meter.usage.inputTokens);
  });

  it('passes Anthropic events through with their names and stops at an error event', () => {
    const relay = createAnthropicPassthrough();
    const all = anthropicEventsOf(anthropicToolUseMessage);
    const text = relay.push([
      ...events(all.slice(0, 3), true),
      ...events([{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }], true),
      ...events(all.slice(3), true),
    ]);
    expect(text.startsWith('event: message_start\ndata: ')).toBe(true);
    expect(text.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
    expect(relay.failure).toMatchObject({ code: 'UPSTREAM_ERROR', details: { errorCode: 'overloaded_error' } });
    expect(relay.meter.inputReported).toBe(true);
  });

  it('translates an Anthropic error event into an OpenAI stream error the SDK raises', () => {
    const relay = createAnthropicToOpenAIChatRelay({ includeUsage: false });
    const text = relay.push(
      events([anthropicEventsOf(anthropicToolUseMessage)[0], { type: 'error', error: { type: 'api_error', message: 'Internal' } }], true),
    );
    expect(text).toContain('data: {"error":{"message":"Internal","type":"server_error"');
    expect(relay.failure?.details).toEqual({ errorCode: 'api_error' });
    expect(relay.end()).toBe('');
  });

  it('translates an OpenAI stream into Anthropic events and ends with message_stop', () => {
    const relay = createOpenAIChatToAnthropicRelay();
    const text = relay.push([...events(openAIChunksOf(openAIToolCallsCompletion)), { data: '[DONE]' }]) + relay.end();
    expect(text.match(/^event: (\w+)/gm)?.at(0)).toBe('event: message_start');
    expect(text.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
  });

  it('reports failures in the Responses format with the next sequence number', () => {
    const relay = createAnthropicToResponsesRelay({ model: 'x', input: 'hi' });
    const text = relay.push(events(anthropicEventsOf(anthropicToolUseMessage).slice(0, 2), true));
    const count = text.match(/^event: /gm)!.length;
    const failure = relay.fail(
      new PreloopError('UPSTREAM_TIMEOUT', 'too slow', { status: 504, details: { errorCode: 'upstream_timeout' } }),
    );
    expect(JSON.parse(failure.split('data: ')[1]!)).toEqual({
      type: 'error',
      sequence_number: count,
      code: 'upstream_timeout',
      message: 'too slow',
      param: null,
    });
  });

  it('rejects an upstream event that is not JSON', () => {
    expect(() => createAnthropicPassthrough().push([{ event: 'message_start', data: '{oops' }])).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_ERROR' }),
    );
  });
});

describe('createSseDecoder', () => {
  it('decodes events split anywhere, UTF-8 included, and a last event without its blank line', () => {
    const bytes = new TextEncoder().encode('event: a\ndata: é1\n\ndata: 2\n');
    const decoder = createSseDecoder();
    const out: ServerSentEvent[] = [];
    for (let index = 0; index < bytes.length; index += 3) out.push(...decoder.push(bytes.slice(index, index + 3)));
    out.push(...decoder.end());
    expect(out).toEqual([{ event: 'a', data: 'é1' }, { data: '2' }]);
  });

  it('refuses an event larger than the limit', () => {
    expect(() => createSseDecoder(100).push(new TextEncoder().encode(`data: ${'x'.repeat(500)}`))).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_ERROR' }),
    );
  });
});
