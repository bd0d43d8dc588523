/**
 * Request bodies under a size limit, read the same way by both adapters. A
 * body over the limit is still read to its end (and thrown away) up to
 * {@link overflowDrainBytes} past the limit before the 413 is answered: a
 * client still uploading when the server answers and closes gets a broken
 * connection (EPIPE, `APIConnectionError`, and the official SDKs retry the
 * upload) instead of the 413.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';

/**
 * How many bytes past the limit are read and discarded so that the 413 reaches
 * the client; past that, the 413 is sent at once and the connection closed
 * (the client may then see the connection break instead).
 * @default 67108864 (64 MiB)
 */
export const overflowDrainBytes = 64 * 1024 * 1024;

/**
 * The 413 for a body over `limitBytes`.
 *
 * @example
 * ```ts
 * throw bodyTooLarge(33_554_432);
 * ```
 */
export function bodyTooLarge(limitBytes: number): PreloopError {
  return new PreloopError('PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${limitBytes} bytes (the gateway's bodyLimitBytes option).`);
}

/** Collects a body chunk by chunk under a limit. */
export interface BodyCollector {
  /** Takes a chunk: `more` (keep reading) or `stop` (over the drain cap: answer now). */
  push(chunk: Uint8Array): 'more' | 'stop';
  /** The body as text once it ended; throws the 413 when it was over the limit. */
  finish(): string;
}

/**
 * Creates a collector for a body limited to `limitBytes`. A declared
 * `content-length` past the drain cap fails at once.
 *
 * @example
 * ```ts
 * const body = collectBody(limitBytes, request.headers.get('content-length'));
 * for await (const chunk of stream) if (body.push(chunk) === 'stop') break;
 * const text = body.finish();
 * ```
 */
export function collectBody(limitBytes: number, declaredLength: string | null): BodyCollector {
  const declared = Number(declaredLength ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes + overflowDrainBytes) throw bodyTooLarge(limitBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  return {
    push(chunk) {
      size += chunk.byteLength;
      if (size <= limitBytes) chunks.push(chunk);
      else chunks.length = 0;
      return size > limitBytes + overflowDrainBytes ? 'stop' : 'more';
    },
    finish() {
      if (size > limitBytes) throw bodyTooLarge(limitBytes);
      if (chunks.length === 1) return Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength).toString('utf8');
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * Reads a web request's body as text under `limitBytes`, draining an
 * over-size body (up to the cap) before refusing it with a 413.
 *
 * @example
 * ```ts
 * const text = await readWebBody(request, 33_554_432);
 * ```
 */
export async function readWebBody(request: Request, limitBytes: number): Promise<string> {
  const body = collectBody(limitBytes, request.headers.get('content-length'));
  if (!request.body) return '';
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (body.push(value) === 'stop') {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return body.finish();
}
