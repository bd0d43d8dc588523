import { z } from 'zod';

/**
 * Options of the kernel's OAuth 2.1 authorization server (`createPreloop({ oauth })`),
 * which lets remote MCP clients connect with just the endpoint's URL.
 */
export interface OAuthOptions {
  /**
   * The issuer: the public URL Preloop's admin API is reached at, without
   * `/api/v1` (for example `https://preloop.example.com`, or
   * `https://example.com/internal/preloop` under a `basePath`). HTTPS, except
   * on loopback (`http://127.0.0.1:8787`) for development and tests.
   */
  issuer: string;
  /** Lifetime of access tokens, in seconds. @default 3600 */
  accessTokenTtlSeconds?: number;
  /** Lifetime of refresh tokens (each use rotates it), in seconds. @default 2592000 (30 days) */
  refreshTokenTtlSeconds?: number;
  /** Lifetime of authorization codes, in seconds. @default 60 */
  codeTtlSeconds?: number;
  /**
   * The resources (RFC 8707) tokens may be issued for: exact URLs of MCP
   * endpoints. @default any URL on the issuer's origin
   */
  resources?: string[];
  /**
   * Accept Client ID Metadata Documents served over plain HTTP from loopback
   * (`http://127.0.0.1:…`, `http://localhost:…`), and from loopback or private
   * addresses over HTTPS. For tests and development only. @default false
   */
  allowInsecureClientMetadataUrls?: boolean;
  /** How long a fetched Client ID Metadata Document is reused at most, in seconds. @default 3600 */
  clientMetadataCacheSeconds?: number;
}

/** True for `http://` loopback URLs, the only plain-HTTP issuer accepted. */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

const issuerSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || isLoopbackHttp(url)) && !url.search && !url.hash && !value.endsWith('/');
  } catch {
    return false;
  }
}, 'must be an https URL without a trailing slash, query or fragment, such as https://preloop.example.com (http only on loopback)');

/** The zod schema of {@link OAuthOptions}, used by `createPreloop`'s options. */
export const oauthOptionsSchema = z.strictObject({
  issuer: issuerSchema,
  accessTokenTtlSeconds: z.number().int().min(60).max(86_400).default(3600),
  refreshTokenTtlSeconds: z.number().int().min(300).max(31_536_000).default(2_592_000),
  codeTtlSeconds: z.number().int().min(1).max(600).default(60),
  resources: z.array(z.url()).optional(),
  allowInsecureClientMetadataUrls: z.boolean().default(false),
  clientMetadataCacheSeconds: z.number().int().min(0).max(86_400).default(3600),
});

/** OAuth options after validation and defaults. */
export type ResolvedOAuthOptions = z.output<typeof oauthOptionsSchema>;
