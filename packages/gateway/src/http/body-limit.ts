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
import type { BodyLimits } from '../calls/exchange.js';

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
  return new PreloopError(
    'PAYLOAD_TOO_LARGE',
    `Request body is larger than the limit of ${limitBytes} bytes (the gateway's bodyLimitBytes option).`,
  );
}

/**
 * The 408 for an upload silent for `timeoutMs`.
 *
 * @example
 * ```ts
 * throw bodyTimedOut(30_000);
 * ```
 */
export function bodyTimedOut(timeoutMs: number): PreloopError {
  return new PreloopError(
    'REQUEST_TIMEOUT',
    `The request body stopped arriving: nothing was received for ${timeoutMs} ms (the gateway's bodyTimeoutMs option).`,
    {
      status: 408,
    },
  );
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
 * Reads a web request's body as text under `limits.bytes`, draining an
 * over-size body (up to the cap) before refusing it with a 413; an upload
 * silent for `limits.timeoutMs` is cancelled and refused with a 408.
 *
 * @example
 * ```ts
 * const text = await readWebBody(request, { bytes: 33_554_432, timeoutMs: 30_000 });
 * ```
 */
export async function readWebBody(request: Request, limits: BodyLimits): Promise<string> {
  const body = collectBody(limits.bytes, request.headers.get('content-length'));
  if (!request.body) return '';
  const reader = request.body.getReader();
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(bodyTimedOut(limits.timeoutMs)), limits.timeoutMs);
    });
    let piece: ReadableStreamReadResult<Uint8Array>;
    try {
      piece = await Promise.race([reader.read(), stalled]);
    } catch (error) {
      void reader.cancel().catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const { done, value } = piece;
    if (done) break;
    if (body.push(value) === 'stop') {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return body.finish();
}
