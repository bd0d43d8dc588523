import type { Preloop } from '@preloop/core';
import type { McpHandlerOptions } from './handler-options.js';

/** Where the protected-resource metadata (RFC 9728) lives, under any origin. */
export const protectedResourceWellKnown = '/.well-known/oauth-protected-resource';
/** Where the authorization server metadata (RFC 8414) lives, under any origin. */
export const authorizationServerWellKnown = '/.well-known/oauth-authorization-server';

/** The MCP endpoint as an OAuth 2.1 protected resource: its canonical URL, its authorization servers, and the metadata documents. */
export interface ProtectedResource {
  /** The canonical URL of this endpoint for a request to `pathname` (the token's required audience, RFC 8707). */
  resourceFor(pathname: string): string;
  /** The metadata URL named in `WWW-Authenticate` for a request to `pathname`. */
  metadataUrlFor(pathname: string): string;
  /** Answers a well-known metadata request, or returns null when `request` is not one. */
  answerWellKnown(request: Request): Promise<Response | null>;
}

/**
 * The protected-resource side of the MCP endpoint, or null when OAuth is off
 * (no `oauth` option on the handler and no `oauth` option on the kernel).
 * The resource is `oauth.resource`, else the kernel issuer's origin plus the
 * path the request came in on (`/mcp` for a root well-known request).
 *
 * @example
 * ```ts
 * const resource = createProtectedResource(preloop, { oauth: { resource: 'https://preloop.example.com/mcp' } }, 'preloop');
 * resource?.metadataUrlFor('/mcp'); // 'https://preloop.example.com/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function createProtectedResource(preloop: Preloop, options: McpHandlerOptions, name: string): ProtectedResource | null {
  if (options.oauth === false) return null;
  const kernelIssuer = preloop.options.oauth?.issuer ?? null;
  const authorizationServers = options.oauth?.authorizationServers ?? (kernelIssuer ? [kernelIssuer] : null);
  if (!authorizationServers || authorizationServers.length === 0) return null;
  const configured = options.oauth?.resource ? new URL(options.oauth.resource) : null;
  const origin = configured?.origin ?? new URL(kernelIssuer ?? authorizationServers[0]!).origin;
  const configuredResource = configured ? (configured.pathname === '/' && !configured.search ? configured.origin : configured.href) : null;
  const resourceFor = (pathname: string) => configuredResource ?? `${origin}${pathname}`;
  const metadataUrlFor = (pathname: string) => {
    const resource = new URL(resourceFor(pathname));
    return `${resource.origin}${protectedResourceWellKnown}${resource.pathname === '/' ? '' : resource.pathname}`;
  };
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
  };

  return {
    resourceFor,
    metadataUrlFor,
    async answerWellKnown(request) {
      const { pathname } = new URL(request.url);
      if (request.method !== 'GET' && request.method !== 'HEAD') return null;
      if (pathname === protectedResourceWellKnown || pathname.startsWith(`${protectedResourceWellKnown}/`)) {
        const suffix = pathname.slice(protectedResourceWellKnown.length);
        const resource = resourceFor(configured ? configured.pathname : suffix || '/mcp');
        if (configured && suffix && suffix !== configured.pathname) return null;
        const document = {
          resource,
          authorization_servers: authorizationServers,
          scopes_supported: ['mcp'],
          bearer_methods_supported: ['header'],
          resource_name: name,
        };
        return new Response(JSON.stringify(document), { status: 200, headers });
      }
      // The kernel's own authorization server metadata (RFC 8414), at the well-known URL derived from its issuer.
      if (kernelIssuer && authorizationServers.includes(kernelIssuer)) {
        const issuerPath = new URL(kernelIssuer).pathname.replace(/\/$/, '');
        if (pathname === `${authorizationServerWellKnown}${issuerPath}`) {
          const answer = await preloop.api(new Request(`http://localhost${preloop.options.basePath}/api/v1/oauth/metadata`));
          return new Response(answer.body, { status: answer.status, headers: answer.headers });
        }
      }
      return null;
    },
  };
}
