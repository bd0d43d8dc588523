import type { IncomingMessage } from 'node:http';
import { PreloopError } from '../errors.js';

/** What a host's body parser leaves on the request (Express `express.json()`, body-parser, a Fastify hand-off). */
interface ParsedBodyCarrier {
  /** The parsed body, when a parser ran. */
  body?: unknown;
  /** body-parser's flag: the stream was consumed. */
  _body?: boolean;
}

let warned = false;

/**
 * The request body as a web stream, or undefined when there is none. The Node
 * stream is only read when the handler reads the body, so a handler that does
 * not match (and hands the request on with `next()`) leaves it for the host.
 * When a host body parser already consumed the stream, the parsed body is
 * re-encoded (JSON, form, text or bytes); when nothing usable is left, it
 * throws `BODY_ALREADY_READ` at once instead of waiting for bytes that never come.
 *
 * @example
 * ```ts
 * const body = toWebBody(req); // ReadableStream | string | Uint8Array | undefined
 * ```
 */
export function toWebBody(request: IncomingMessage): ReadableStream<Uint8Array> | string | Uint8Array | undefined {
  const method = request.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return undefined;
  return fromHostBodyParser(request) ?? lazyStream(request);
}

/**
 * The body a host body parser already read from the request stream (Express
 * `express.json()`, body-parser, a Fastify hand-off), re-encoded from
 * `req.body` per the request's content type (JSON, form, text or bytes);
 * undefined while the stream is still unread (read it yourself). When the
 * stream was consumed and nothing usable was left on `req.body`, it throws
 * `BODY_ALREADY_READ` (500, "Mount Preloop before your body parser") at once,
 * and emits a process warning the first time, instead of waiting for bytes
 * that never come. Every Preloop adapter reading Node requests uses it.
 *
 * @example
 * ```ts
 * const parsed = fromHostBodyParser(req); // string | Uint8Array | undefined
 * const text = parsed === undefined ? await readStream(req) : Buffer.from(parsed).toString('utf8');
 * ```
 */
export function fromHostBodyParser(request: IncomingMessage): string | Uint8Array | undefined {
  const carrier = request as IncomingMessage & ParsedBodyCarrier;
  const consumed =
    carrier._body === true ||
    request.readableEnded ||
    (request.complete && request.readableLength === 0 && request.readableFlowing !== null);
  if (!consumed) return undefined;
  if (carrier.body !== undefined) return fromParsedBody(carrier.body, request.headers['content-type'] ?? '');
  if (!warned) {
    warned = true;
    process.emitWarning(bodyAlreadyReadMessage, { code: 'PRELOOP_BODY_ALREADY_READ' });
  }
  throw new PreloopError('BODY_ALREADY_READ', bodyAlreadyReadMessage, { status: 500 });
}

const bodyAlreadyReadMessage =
  'The request body was already read by another middleware (a body parser mounted before Preloop) and no parsed body was left on req.body. Mount Preloop before your body parser.';

/** A stream that starts reading the Node request only when its first chunk is asked for. */
function lazyStream(request: IncomingMessage): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= request[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        try {
          const { done, value } = await iterator.next();
          if (done) controller.close();
          else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    // Zero: nothing is pulled before the handler reads.
    { highWaterMark: 0 },
  );
}

/** Re-encodes what a body parser produced, per the request's content type. */
function fromParsedBody(body: unknown, contentType: string): string | Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return body;
  const type = contentType.toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded') && body !== null && typeof body === 'object') {
    return new URLSearchParams(Object.entries(body as Record<string, unknown>).map(([key, value]) => [key, String(value)])).toString();
  }
  return JSON.stringify(body);
}
