import { PreloopError } from '../errors.js';

/**
 * Reads a request body as JSON, refusing bodies over `limitBytes` (413) and
 * malformed JSON (400). An empty body reads as `undefined`.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(request, 1_048_576);
 * ```
 */
export async function readJsonBody(request: Request, limitBytes: number): Promise<unknown> {
  const text = await readTextBody(request, limitBytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new PreloopError('VALIDATION_ERROR', `Malformed JSON body: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Reads a request body as text, refusing bodies over `limitBytes` with a 413
 * before reading them whole.
 *
 * @example
 * ```ts
 * const text = await readTextBody(request, 65_536);
 * ```
 */
export async function readTextBody(request: Request, limitBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limitBytes: number): PreloopError {
  return new PreloopError('PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${limitBytes} bytes.`);
}
