/**
 * Which argument, header and field names hold secrets. One rule for the whole
 * project (approval views, notifier payloads, the audit trail):
 *
 * 1. The name is split into words at case changes and at any character other
 *    than a letter or digit (`apiKey`, `API-KEY`, `api_key`, `x.api.key` all
 *    read `api key`).
 * 2. It names a secret when its **last word** is a secret word (`password`,
 *    `secret`, `token`, `authorization`, `credentials`…) or its last two words
 *    are a secret pair (`api key`, `private key`, `access key`…). Words are
 *    compared whole, never as substrings: `author`, `auth_method`,
 *    `max_tokens`, `passenger_count`, `token_count`, `apiKeyId` and
 *    `secretName` are ordinary names. `pass` counts only as the whole name.
 * 3. Pagination cursors are not secrets: a `token` after `page`, `next`,
 *    `continuation`, `cursor`, `sync` or `resume` (`page_token`,
 *    `nextPageToken`, `NextToken`) stays visible, because an approver needs
 *    to see them and they grant nothing.
 *
 * @module
 */

/** Last words that make a name secret. */
const secretWords = new Set([
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'secrets',
  'token',
  'credential',
  'credentials',
  'authorization',
  'auth',
  'cookie',
  'cookies',
  'signature',
  'apikey',
  'apikeys',
  'privatekey',
  'accesskey',
  'secretkey',
  'sessionkey',
  'bearer',
  'otp',
  'totp',
  'pin',
  // Common spellings written as one word.
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'apitoken',
  'sessiontoken',
  'securitytoken',
  'bearertoken',
  'clientsecret',
  'xapikey',
]);

/** Last two words that make a name secret (`api key`, `private key`…). */
const secretPairs = new Set([
  'api key',
  'api keys',
  'private key',
  'access key',
  'secret key',
  'session key',
  'signing key',
  'encryption key',
  'master key',
  'client key',
]);

/** Words before `token` that make it a pagination cursor rather than a credential. */
const cursorWords = new Set(['page', 'next', 'continuation', 'cursor', 'sync', 'resume', 'pagination', 'continue']);

/**
 * Splits a name into lowercase words at case changes and non-alphanumeric characters.
 *
 * @example
 * ```ts
 * nameWords('X-APIKey'); // ['x', 'api', 'key']
 * ```
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/**
 * True when `name` names a secret by the whole-word rule above.
 *
 * @example
 * ```ts
 * isSecretName('API-KEY');      // true
 * isSecretName('client_secret'); // true
 * isSecretName('max_tokens');   // false
 * isSecretName('author');       // false
 * isSecretName('page_token');   // false: a pagination cursor
 * ```
 */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  const previous = words[words.length - 2];
  if (last === 'token' && previous !== undefined && cursorWords.has(previous)) return false;
  if (secretWords.has(last) || (last === 'pass' && words.length === 1)) return true;
  return previous !== undefined && secretPairs.has(`${previous} ${last}`);
}
