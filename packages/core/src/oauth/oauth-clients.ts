import { z } from 'zod';
import { createId } from '../ids.js';
import { parseJsonColumn } from '../storage/schema.js';
import { oauthError } from './oauth-tokens.js';
import type { ResolvedOAuthOptions } from './oauth-options.js';
import type { OAuthDatabase } from './oauth-tables.js';

/** An OAuth client, registered (RFC 7591) or described by its Client ID Metadata Document. */
export interface OAuthClient {
  /** The `client_id`: an issued id (`plc_…`) or the https URL of the client's metadata document. */
  id: string;
  /** The name shown on the consent page. */
  name: string;
  /** The exact redirect URIs allowed. */
  redirectUris: string[];
  /** How the client is known. */
  source: 'registration' | 'metadata-document';
}

const maxDocumentBytes = 16_384;
const loopbackNames = new Set(['127.0.0.1', 'localhost', '[::1]']);
const forbiddenSchemes = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);

/**
 * The client metadata accepted by registration and in metadata documents
 * (RFC 7591 §2): public clients only (`token_endpoint_auth_method: none`),
 * the authorization code grant, redirect URIs required.
 */
export const clientMetadataSchema = z.looseObject({
  redirect_uris: z.array(z.string().max(2000)).min(1).max(20),
  client_name: z.string().max(200).optional(),
  token_endpoint_auth_method: z.string().optional(),
  grant_types: z.array(z.string()).optional(),
  response_types: z.array(z.string()).optional(),
  client_uri: z.string().optional(),
  scope: z.string().optional(),
});

/**
 * Checks a redirect URI a client registers: https anywhere; plain http only on
 * loopback; a private-use scheme (`com.example.app:/cb`) for native apps; never
 * a fragment, credentials, or a script/data scheme. Returns the problem, or null.
 *
 * @example
 * ```ts
 * redirectUriProblem('http://evil.example/cb'); // 'plain http is only allowed on loopback …'
 * ```
 */
export function redirectUriProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URI`;
  }
  if (url.hash || value.includes('#')) return `"${value}" must not contain a fragment`;
  if (url.username || url.password) return `"${value}" must not contain credentials`;
  if (forbiddenSchemes.has(url.protocol)) return `"${value}" uses a forbidden scheme`;
  if (url.protocol === 'http:' && !loopbackNames.has(url.hostname))
    return `"${value}": plain http is only allowed on loopback (127.0.0.1, [::1], localhost); use https`;
  return null;
}

/**
 * True when `requested` matches a registered redirect URI: exactly, or, for an
 * `http` loopback URI (RFC 8252 §7.3, OAuth 2.1 §8.4.2), with any port (native
 * clients listen on an ephemeral port); scheme, host, path and query must
 * still match exactly.
 *
 * @example
 * ```ts
 * redirectUriMatches(['http://127.0.0.1/callback'], 'http://127.0.0.1:51234/callback'); // true
 * ```
 */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  let wanted: URL;
  try {
    wanted = new URL(requested);
  } catch {
    return false;
  }
  if (wanted.protocol !== 'http:' || !loopbackNames.has(wanted.hostname)) return false;
  return registered.some((entry) => {
    try {
      const candidate = new URL(entry);
      return (
        candidate.protocol === 'http:' &&
        candidate.hostname === wanted.hostname &&
        candidate.pathname === wanted.pathname &&
        candidate.search === wanted.search &&
        !requested.includes('#')
      );
    } catch {
      return false;
    }
  });
}

/** Validates client metadata; throws `invalid_client_metadata` / `invalid_redirect_uri` naming the problem. */
function checkMetadata(input: unknown): z.output<typeof clientMetadataSchema> {
  const parsed = clientMetadataSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw oauthError('invalid_client_metadata', `Client metadata field "${issue.path.join('.') || 'document'}": ${issue.message}.`);
  }
  const metadata = parsed.data;
  for (const uri of metadata.redirect_uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw oauthError('invalid_redirect_uri', `Redirect URI ${problem}.`);
  }
  const method = metadata.token_endpoint_auth_method ?? 'none';
  if (method !== 'none')
    throw oauthError(
      'invalid_client_metadata',
      `token_endpoint_auth_method "${method}" is not supported: only public clients ("none") with PKCE.`,
    );
  if (metadata.grant_types?.some((grant) => grant !== 'authorization_code' && grant !== 'refresh_token'))
    throw oauthError('invalid_client_metadata', 'grant_types may only hold "authorization_code" and "refresh_token".');
  if (metadata.response_types?.some((type) => type !== 'code'))
    throw oauthError('invalid_client_metadata', 'response_types may only hold "code".');
  return metadata;
}

/** The client registry: dynamic registration, and fetched (and cached) Client ID Metadata Documents. */
export interface OAuthClients {
  /** Registers a client (RFC 7591); returns its id and the metadata kept. */
  register(accountId: string, metadata: unknown): Promise<{ client: OAuthClient; metadata: Record<string, unknown>; issuedAt: number }>;
  /** The client named by `clientId`, or throws `invalid_client`. A URL id fetches (or reuses) its metadata document. */
  find(clientId: string): Promise<OAuthClient>;
}

/**
 * True when `clientId` is meant as a Client ID Metadata Document URL.
 *
 * @example
 * ```ts
 * isMetadataDocumentId('https://app.example.com/oauth/client.json'); // true
 * ```
 */
export function isMetadataDocumentId(clientId: string): boolean {
  return clientId.startsWith('https://') || clientId.startsWith('http://');
}

/**
 * Creates the client registry over the OAuth tables.
 *
 * @example
 * ```ts
 * const clients = createOAuthClients(oauthDatabase(preloop.db), options, fetch);
 * const client = await clients.find('https://app.example.com/oauth/client.json');
 * ```
 */
export function createOAuthClients(db: OAuthDatabase, options: ResolvedOAuthOptions, fetchDocument: typeof fetch = fetch): OAuthClients {
  const documents = new Map<string, { client: OAuthClient; expiresAt: number }>();

  function documentUrlProblem(clientId: string): string | null {
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      return 'is not a URL';
    }
    if (url.hash || url.username || url.password) return 'must not carry a fragment or credentials';
    if (url.pathname === '/' || url.pathname === '') return 'must have a path (https://host/path/client.json)';
    const local =
      loopbackNames.has(url.hostname) ||
      /^(10|127|0)\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\.|^169\.254\.|^\[(f[cd]|fe80|::)/i.test(url.hostname);
    if (options.allowInsecureClientMetadataUrls)
      return url.protocol === 'https:' || (url.protocol === 'http:' && local) ? null : 'must be https';
    if (url.protocol !== 'https:') return 'must be an https URL';
    if (local) return 'must not point at a loopback or private address';
    return null;
  }

  async function fetchClient(clientId: string): Promise<OAuthClient> {
    const problem = documentUrlProblem(clientId);
    if (problem) throw oauthError('invalid_client', `The client_id URL ${problem}.`, 400);
    let response: Response;
    try {
      response = await fetchDocument(clientId, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      throw oauthError('invalid_client', 'The client metadata document could not be fetched.', 400);
    }
    const text = response.ok ? await response.text().catch(() => '') : '';
    if (!response.ok || text.length === 0 || text.length > maxDocumentBytes)
      throw oauthError('invalid_client', `The client metadata document answered ${response.status} or was empty or too large.`, 400);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw oauthError('invalid_client', 'The client metadata document is not JSON.', 400);
    }
    const metadata = checkMetadata(document);
    if ((document as { client_id?: unknown }).client_id !== clientId)
      throw oauthError('invalid_client', 'The client metadata document must name its own URL as client_id.', 400);
    if ('client_secret' in (document as object) || 'client_secret_expires_at' in (document as object))
      throw oauthError('invalid_client', 'A client metadata document must not carry a client secret.', 400);
    const client: OAuthClient = {
      id: clientId,
      name: metadata.client_name ?? new URL(clientId).host,
      redirectUris: metadata.redirect_uris,
      source: 'metadata-document',
    };
    const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1];
    const seconds = Math.min(
      options.clientMetadataCacheSeconds,
      maxAge === undefined ? options.clientMetadataCacheSeconds : Number(maxAge),
    );
    if (seconds > 0) {
      if (documents.size >= 1000) documents.clear();
      documents.set(clientId, { client, expiresAt: Date.now() + seconds * 1000 });
    }
    return client;
  }

  return {
    async register(accountId, input) {
      const metadata = checkMetadata(input);
      const id = createId('plc');
      const now = Date.now();
      const kept = {
        ...metadata,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      };
      const name = metadata.client_name ?? (new URL(metadata.redirect_uris[0]!).host || 'MCP client');
      await db
        .insertInto('oauth_clients')
        .values({
          id,
          account_id: accountId,
          name,
          redirect_uris: JSON.stringify(metadata.redirect_uris),
          metadata: JSON.stringify(kept),
          created_at: now,
        })
        .execute();
      return { client: { id, name, redirectUris: metadata.redirect_uris, source: 'registration' }, metadata: kept, issuedAt: now };
    },
    async find(clientId) {
      if (isMetadataDocumentId(clientId)) {
        const cached = documents.get(clientId);
        if (cached && cached.expiresAt > Date.now()) return cached.client;
        return fetchClient(clientId);
      }
      const row = await db
        .selectFrom('oauth_clients')
        .select(['id', 'name', 'redirect_uris'])
        .where('id', '=', clientId)
        .executeTakeFirst();
      if (!row) throw oauthError('invalid_client', 'Unknown client_id.', 400);
      return { id: row.id, name: row.name, redirectUris: parseJsonColumn<string[]>(row.redirect_uris, []), source: 'registration' };
    },
  };
}
