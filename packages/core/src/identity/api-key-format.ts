import { createHash, randomBytes } from 'node:crypto';

/**
 * The type prefix of every Preloop API key. Secret scanners match
 * `plk_[0-9A-Za-z]{38}` and confirm a hit offline with {@link isPreloopApiKey}.
 */
export const apiKeyPrefix = 'plk_';

/** Random base62 characters in a key (about 190 bits of entropy). */
export const apiKeyRandomLength = 32;

/** Base62 characters of the CRC32 checksum that ends every key. */
export const apiKeyChecksumLength = 6;

/** Characters of the key kept in the database for display (`plk_` plus 6 random characters). */
export const apiKeyDisplayLength = apiKeyPrefix.length + 6;

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const keyPattern = new RegExp(`^${apiKeyPrefix}[0-9A-Za-z]{${apiKeyRandomLength + apiKeyChecksumLength}}$`);

const crcTable = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * CRC32 (IEEE) of an ASCII string.
 *
 * @example
 * ```ts
 * crc32('123456789'); // 0xcbf43926
 * ```
 */
export function crc32(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) crc = crcTable[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

function toBase62(value: number, width: number): string {
  let text = '';
  let rest = value;
  while (rest > 0) {
    text = base62[rest % 62] + text;
    rest = Math.floor(rest / 62);
  }
  return text.padStart(width, '0');
}

function randomBase62(length: number): string {
  let text = '';
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
      if (byte < 248) text += base62[byte % 62];
      if (text.length === length) break;
    }
  }
  return text;
}

function checksumOf(body: string): string {
  return toBase62(crc32(body), apiKeyChecksumLength);
}

/**
 * Generates a new API key: `plk_`, 32 random base62 characters, and a 6-character
 * base62 CRC32 checksum of everything before it.
 *
 * @example
 * ```ts
 * generateApiKey(); // "plk_3kT9…Q2x0aZ"
 * ```
 */
export function generateApiKey(): string {
  const body = apiKeyPrefix + randomBase62(apiKeyRandomLength);
  return body + checksumOf(body);
}

/**
 * True when `text` has the shape of a Preloop API key and its checksum matches,
 * so a leaked key is recognized offline without a database lookup.
 *
 * @example
 * ```ts
 * isPreloopApiKey(generateApiKey()); // true
 * isPreloopApiKey('plk_not-a-key');  // false
 * ```
 */
export function isPreloopApiKey(text: string): boolean {
  if (typeof text !== 'string' || !keyPattern.test(text)) return false;
  const split = text.length - apiKeyChecksumLength;
  return checksumOf(text.slice(0, split)) === text.slice(split);
}

/**
 * The SHA-256 (hex) under which a key is stored and looked up.
 *
 * @example
 * ```ts
 * const keyHash = hashApiKey(key);
 * ```
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The short, non-secret part of a key shown in lists (`plk_` and 6 characters).
 *
 * @example
 * ```ts
 * apiKeyDisplayPrefix('plk_3kT9aBcd…'); // "plk_3kT9aB"
 * ```
 */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, apiKeyDisplayLength);
}
