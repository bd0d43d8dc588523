/**
 * `streamGenerateContent` without `alt=sse`: Google then answers one JSON
 * array, written element by element as the model produces them. The gateway
 * streams server-sent events internally; this turns such a reply into that
 * array (`[`, the events' JSON separated by `,\r\n`, `]`), an error event
 * included as the array's last element, as Google does.
 *
 * @module
 */

import type { GatewayReply, ReplyStream } from './exchange.js';

/** Takes the `data:` payloads of whole events out of server-sent-event text, keeping an unfinished event for later. */
function createDataReader() {
  let buffer = '';
  return (text: string, final: boolean): string[] => {
    buffer += text.replace(/\r\n/g, '\n');
    const blocks = buffer.split('\n\n');
    buffer = final ? '' : blocks.pop()!;
    const payloads: string[] = [];
    for (const block of blocks) {
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
      if (data.length > 0) payloads.push(data.join('\n'));
    }
    return payloads;
  };
}

/**
 * The JSON-array form of a streamed Gemini reply; any other reply (an error,
 * a refusal) is returned unchanged.
 *
 * @example
 * ```ts
 * const reply = await runModelCall(context, request, 'gemini', 'streamGenerateContent', model);
 * return alt === 'sse' ? reply : toJsonArrayReply(reply);
 * ```
 */
export function toJsonArrayReply(reply: GatewayReply): GatewayReply {
  if (reply.status !== 200 || !String(reply.headers['content-type'] ?? '').startsWith('text/event-stream')) return reply;
  const headers: Record<string, string> = Object.assign({}, reply.headers, { 'content-type': 'application/json; charset=UTF-8' });
  const read = createDataReader();
  let opened = false;
  const elements = (payloads: string[]) =>
    payloads
      .map((payload) => {
        const prefix = opened ? ',\r\n' : '[';
        opened = true;
        return prefix + payload;
      })
      .join('');
  const closing = () => (opened ? ']' : '[]');
  if ('body' in reply) return { status: 200, headers, body: elements(read(reply.body, true)) + closing() };
  const inner = reply.stream;
  let done = false;
  const stream: ReplyStream = {
    async next() {
      if (done) return null;
      for (;;) {
        const piece = await inner.next();
        if (piece === null) {
          done = true;
          return elements(read('', true)) + closing();
        }
        const text = elements(read(piece, false));
        if (text) return text;
      }
    },
    cancel: () => inner.cancel(),
  };
  return { status: 200, headers, stream };
}
