import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteStream, collect } from '../../test-fixtures/stream-helpers.js';
import { createSseDecoder, parseServerSentEvents, type ServerSentEvent } from './parse-sse.js';
import { serializeServerSentEvent } from './serialize-sse.js';

/** A byte stream cut at the given byte offsets (which may fall inside a UTF-8 sequence). */
function cutStream(bytes: Uint8Array, offsets: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) pieces.push(bytes.slice(start, point));
    start = Math.max(start, point);
  }
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

const eventArbitrary: fc.Arbitrary<ServerSentEvent> = fc.record(
  {
    event: fc.stringMatching(/^[a-z_.]{1,20}$/),
    data: fc.string({ unit: 'grapheme', maxLength: 60 }).filter((data) => !data.includes('\r')),
    id: fc.stringMatching(/^[a-z0-9]{1,8}$/),
  },
  { requiredKeys: ['data'] },
);

describe('parseServerSentEvents', () => {
  it('parses serialized events back whatever the chunk boundaries, UTF-8 split included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArbitrary, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), async (events, offsets) => {
        const bytes = new TextEncoder().encode(events.map(serializeServerSentEvent).join(''));
        expect(await collect(parseServerSentEvents(cutStream(bytes, offsets)))).toEqual(events);
      }),
      { numRuns: 200 },
    );
  });

  it('the push decoder (relay) and the generator are one parser: same events for the same bytes, however cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArbitrary, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        async (events, offsets, cutShort) => {
          let bytes = new TextEncoder().encode(events.map(serializeServerSentEvent).join(''));
          if (cutShort && bytes.length > 2) bytes = bytes.slice(0, bytes.length - 2);
          const decoder = createSseDecoder();
          const pushed: ServerSentEvent[] = [];
          const reader = cutStream(bytes, offsets).getReader();
          for (let read = await reader.read(); !read.done; read = await reader.read()) pushed.push(...decoder.push(read.value));
          pushed.push(...decoder.end());
          expect(await collect(parseServerSentEvents(cutStream(bytes, offsets)))).toEqual(pushed);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('handles CRLF line endings, comments and multi-line data', async () => {
    const text = ': keep-alive\r\nevent: message_start\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: second\r\n\r\n';
    expect(await collect(parseServerSentEvents(byteStream(text, 5)))).toEqual([
      { event: 'message_start', data: '{"a":\n1}' },
      { data: 'second' },
    ]);
  });

  it('yields a last event that only lacks the final blank line, and drops one cut off mid-line', async () => {
    expect(await collect(parseServerSentEvents(byteStream('data: one\n\ndata: [DONE]\n')))).toEqual([{ data: 'one' }, { data: '[DONE]' }]);
    expect(await collect(parseServerSentEvents(byteStream('data: one\r\n\r\ndata: two\r')))).toEqual([{ data: 'one' }, { data: 'two' }]);
    expect(await collect(parseServerSentEvents(byteStream('data: one\n\ndata: {"partial":')))).toEqual([{ data: 'one' }]);
  });

  it('cancels the upstream when the consumer stops early', async () => {
    let cancelled: unknown = 'not cancelled';
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\n'));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    for await (const event of parseServerSentEvents(upstream)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(cancelled).toBeUndefined();
  });

  it('rejects an event larger than the buffer limit', async () => {
    const huge = `data: ${'x'.repeat(5_000)}\n\n`;
    await expect(collect(parseServerSentEvents(byteStream(huge, 512), { maxBufferSize: 1_000 }))).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
    });
  });
});
