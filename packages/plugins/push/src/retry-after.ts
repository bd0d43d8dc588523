/**
 * Reads `Retry-After` (seconds or an HTTP date) in ms, capped at one hour;
 * null when absent or unreadable.
 *
 * @example
 * ```ts
 * retryAfterMs('2'); // 2000
 * ```
 */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | null {
  if (header === null || header === undefined || header.trim() === '') return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, Math.round(ms)), 3_600_000) : null;
}
