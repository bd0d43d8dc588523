import { createHmac, timingSafeEqual } from 'node:crypto';
import { PreloopError } from '../errors.js';
import { adminApiBasePath } from '../api/create-admin-api.js';
import type { Preloop } from '../kernel/preloop.js';
import { createOAuthClients, type OAuthClients } from './oauth-clients.js';
import { createOAuthGrants, type OAuthGrants } from './oauth-grants.js';
import type { ResolvedOAuthOptions } from './oauth-options.js';
import { oauthDatabase } from './oauth-tables.js';
import { canonicalResource } from './oauth-tokens.js';

/** The scopes the authorization server grants: `mcp` (list and call the MCP endpoint's tools, under policy). */
export const oauthScopes: readonly string[] = ['mcp'];

/** The kernel's authorization server: options, client registry, grants, and the URLs it publishes. */
export interface OAuthServer {
  readonly options: ResolvedOAuthOptions;
  readonly clients: OAuthClients;
  readonly grants: OAuthGrants;
  /** `<issuer>/api/v1/oauth/<name>`. */
  endpoint(name: 'authorize' | 'token' | 'register' | 'revoke' | 'login'): string;
  /** The path of an endpoint on this server (with the host's `basePath`). */
  path(name: 'authorize' | 'login'): string;
  /** The canonical resource for `requested`, or null when tokens may not be issued for it. */
  allowedResource(requested: string): string | null;
  /** The CSRF token of the consent form, bound to the console session token. */
  csrfToken(sessionToken: string): string;
  /** True when `token` is the consent form's CSRF token for this session. */
  checkCsrf(sessionToken: string, token: string): boolean;
  /** The RFC 8414 metadata document. */
  metadata(): Record<string, unknown>;
}

const servers = new WeakMap<Preloop, OAuthServer>();

/**
 * The authorization server of a kernel started with `oauth` options; throws
 * `NOT_FOUND` (404) when OAuth is not enabled.
 *
 * @example
 * ```ts
 * const server = oauthServerOf(preloop);
 * server.metadata().token_endpoint; // 'https://preloop.example.com/api/v1/oauth/token'
 * ```
 */
export function oauthServerOf(preloop: Preloop): OAuthServer {
  const existing = servers.get(preloop);
  if (existing) return existing;
  const options = preloop.options.oauth;
  if (!options)
    throw new PreloopError('NOT_FOUND', 'OAuth is not enabled on this server: start the kernel with createPreloop({ oauth: { issuer } }).');
  const db = oauthDatabase(preloop.db);
  const issuer = options.issuer;
  const issuerOrigin = new URL(issuer).origin;
  const resources = options.resources
    ?.map((resource) => canonicalResource(resource))
    .filter((resource): resource is string => resource !== null);
  const csrfKey = createHmac('sha256', preloop.options.secretKey).update('preloop oauth consent csrf').digest();
  const server: OAuthServer = {
    options,
    clients: createOAuthClients(db, options),
    grants: createOAuthGrants(db, preloop.audit, options),
    endpoint: (name) => `${issuer}${adminApiBasePath}/oauth/${name}`,
    path: (name) => `${preloop.options.basePath}${adminApiBasePath}/oauth/${name}`,
    allowedResource(requested) {
      const resource = canonicalResource(requested);
      if (resource === null) return null;
      if (resources) return resources.includes(resource) ? resource : null;
      return new URL(resource).origin === issuerOrigin ? resource : null;
    },
    csrfToken: (sessionToken) => createHmac('sha256', csrfKey).update(sessionToken).digest('base64url'),
    checkCsrf(sessionToken, token) {
      const expected = Buffer.from(server.csrfToken(sessionToken));
      const given = Buffer.from(token);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
    metadata: () => ({
      issuer,
      authorization_endpoint: server.endpoint('authorize'),
      token_endpoint: server.endpoint('token'),
      registration_endpoint: server.endpoint('register'),
      revocation_endpoint: server.endpoint('revoke'),
      scopes_supported: [...oauthScopes],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    }),
  };
  servers.set(preloop, server);
  return server;
}
