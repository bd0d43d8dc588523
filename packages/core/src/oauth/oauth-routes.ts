import { z } from 'zod';
import { clientAddress } from '../api/client-address.js';
import { defineRoute, type AdminRoute } from '../api/define-route.js';
import { json } from '../api/respond.js';
import { errorBodySchema } from '../api/route-contract.js';
import { PreloopError } from '../errors.js';
import { isSecureRequest, readSessionCookie } from '../identity/console-sessions.js';
import { roleAtLeast, type Principal } from '../identity/principal.js';
import type { Preloop } from '../kernel/preloop.js';
import { authorizationErrorPage, consentPage, loginPage, type ConsentIdentity } from './consent-page.js';
import { oauthGrantRoutes } from './oauth-grant-routes.js';
import { oauthScopes, oauthServerOf, type OAuthServer } from './oauth-server.js';
import { redirectUriMatches, type OAuthClient } from './oauth-clients.js';
import { oauthError } from './oauth-tokens.js';

/** An OAuth error answer (RFC 6749 §5.2). */
export const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** The token endpoint's answer (RFC 6749 §5.1). */
export const oauthTokenSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
  scope: z.string(),
});

/** The authorization server metadata (RFC 8414). */
export const oauthMetadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  registration_endpoint: z.string(),
  revocation_endpoint: z.string(),
  scopes_supported: z.array(z.string()),
  response_types_supported: z.array(z.string()),
  grant_types_supported: z.array(z.string()),
  code_challenge_methods_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  client_id_metadata_document_supported: z.boolean(),
});

/** A registered client (RFC 7591 §3.2.1). */
export const oauthClientRegistrationSchema = z.looseObject({
  client_id: z.string(),
  client_id_issued_at: z.number().int(),
  redirect_uris: z.array(z.string()),
  token_endpoint_auth_method: z.literal('none'),
});

/** A form or JSON body of string fields (the token, revocation, consent and sign-in endpoints). */
export const oauthFormBody = z.record(z.string(), z.string());

/** The body of `POST /oauth/register`: client metadata, checked by the handler (RFC 7591 errors). */
export const oauthRegistrationBody = z.record(z.string(), z.unknown());

const oauthFailure = z.union([oauthErrorSchema, errorBodySchema]);
/** Limits of the open registration endpoint. */
const registrationLimits = { perAddress: { limit: 30, windowSeconds: 3600 }, total: { limit: 1000, windowSeconds: 3600 } };
const html = { mediaType: 'text/html', description: 'A server-rendered page' } as const;
const authorizationParameters = [
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'state',
  'scope',
  'resource',
];

/** The answer of an OAuth error: RFC 6749 JSON, never cached. */
function oauthErrorResponse(error: unknown): Response {
  if (error instanceof PreloopError && typeof (error.details as { oauthError?: unknown } | undefined)?.oauthError === 'string') {
    return json({ error: (error.details as { oauthError: string }).oauthError, error_description: error.message }, error.status, {
      'cache-control': 'no-store',
    });
  }
  throw error;
}

/** A validated authorization request, or how to refuse it. */
type Checked =
  | { ok: true; client: OAuthClient; redirectUri: string; challenge: string; scopes: string[]; resource: string; state: string | null }
  | { ok: false; response: Response };

/** Sends the browser back to the client with an error (only once the client and redirect URI are trusted). */
function redirectError(server: OAuthServer, redirectUri: string, state: string | null, error: string, description: string): Response {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (state !== null) url.searchParams.set('state', state);
  url.searchParams.set('iss', server.options.issuer);
  return new Response(null, { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } });
}

async function refuseAuthorization(
  preloop: Preloop,
  status: number,
  reason: string,
  message: string,
  clientId: string | null,
): Promise<Response> {
  await preloop.audit.record({
    actor: { type: 'system', id: clientId, name: 'oauth authorization endpoint' },
    action: 'oauth.authorize.refused',
    outcome: 'denied',
    data: { reason, clientId },
  });
  return authorizationErrorPage(status, message);
}

/** Checks an authorization request (RFC 6749 §4.1.1, PKCE S256 only, RFC 8707 resource). */
async function checkAuthorization(preloop: Preloop, server: OAuthServer, input: Record<string, string | undefined>): Promise<Checked> {
  const clientId = input.client_id ?? '';
  if (!clientId)
    return { ok: false, response: await refuseAuthorization(preloop, 400, 'client_id_missing', 'The request names no client_id.', null) };
  let client: OAuthClient;
  try {
    client = await server.clients.find(clientId);
  } catch (error) {
    return { ok: false, response: await refuseAuthorization(preloop, 400, 'invalid_client', (error as Error).message, clientId) };
  }
  const requested = input.redirect_uri ?? (client.redirectUris.length === 1 ? client.redirectUris[0]! : '');
  if (!requested || !redirectUriMatches(client.redirectUris, requested))
    return {
      ok: false,
      response: await refuseAuthorization(
        preloop,
        400,
        'redirect_uri_not_registered',
        'The redirect URI is not registered for this client.',
        clientId,
      ),
    };
  const state = input.state ?? null;
  const fail = async (error: string, description: string): Promise<Checked> => {
    await preloop.audit.record({
      actor: { type: 'system', id: clientId, name: 'oauth authorization endpoint' },
      action: 'oauth.authorize.refused',
      outcome: 'denied',
      data: { reason: error, description, clientId },
    });
    return { ok: false, response: redirectError(server, requested, state, error, description) };
  };
  if (input.response_type !== 'code') return await fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (!input.code_challenge) return await fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
  if (input.code_challenge_method !== 'S256')
    return await fail('invalid_request', 'Only the S256 PKCE method is accepted (plain is refused).');
  if (!/^[A-Za-z0-9_-]{43}$/.test(input.code_challenge))
    return await fail('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters).');
  const scopes = (input.scope ?? '').split(' ').filter((scope) => scope !== '');
  const unknown = scopes.filter((scope) => !oauthScopes.includes(scope));
  if (unknown.length > 0) return await fail('invalid_scope', `Unknown scope: ${unknown.join(' ')}.`);
  const configured = server.options.resources;
  const resource = input.resource
    ? server.allowedResource(input.resource)
    : configured?.length === 1
      ? server.allowedResource(configured[0]!)
      : null;
  if (resource === null)
    return await fail(
      'invalid_target',
      input.resource ? 'Tokens cannot be issued for this resource.' : 'The resource parameter (RFC 8707) is required.',
    );
  return {
    ok: true,
    client,
    redirectUri: requested,
    challenge: input.code_challenge,
    scopes: scopes.length ? scopes : [...oauthScopes],
    resource,
    state,
  };
}

/** The signed-in console user behind the request's session cookie, with its token. */
async function consoleUser(preloop: Preloop, request: Request): Promise<{ principal: Principal; token: string } | null> {
  const token = readSessionCookie(request);
  if (!token) return null;
  const principal = await preloop.identity.authenticate(
    new Request(request.url, { headers: { cookie: request.headers.get('cookie') ?? '' } }),
  );
  return principal?.type === 'user' ? { principal, token } : null;
}

/** The identities a user may let a client act as: themself, and the active agents they own (owners and admins: every active agent). */
async function identitiesOf(preloop: Preloop, user: Principal): Promise<ConsentIdentity[]> {
  let query = preloop.db.selectFrom('agents').select(['id', 'name']).where('account_id', '=', user.accountId).where('state', '=', 'active');
  if (!roleAtLeast(user.role, 'admin')) query = query.where('owner_user_id', '=', user.id);
  const agents = await query.orderBy('name').limit(200).execute();
  return [
    { value: 'user', label: `Yourself (${user.name})` },
    ...agents.map((agent) => ({ value: `agent:${agent.id}`, label: `Agent ${agent.name}` })),
  ];
}

/**
 * A POST from another site is refused (the session cookie is SameSite=Lax; this is the second line). Browsers say where a
 * request comes from in `Sec-Fetch-Site`; with `Referrer-Policy: no-referrer` a form post carries `Origin: null`.
 */
function crossSite(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  const host = request.headers.get('host') ?? new URL(request.url).host;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

function hostOf(uri: string): string {
  const url = new URL(uri);
  return url.host || url.protocol;
}

/** The OAuth 2.1 authorization server's routes, under `/api/v1/oauth`; each answers 404 when the kernel has no `oauth` options. */
export const oauthRoutes: AdminRoute[] = [
  ...oauthGrantRoutes,
  defineRoute({
    method: 'GET',
    path: '/oauth/metadata',
    summary: 'Authorization server metadata (RFC 8414); also served at /.well-known/oauth-authorization-server by the MCP handler',
    tag: 'oauth',
    access: 'public',
    response: oauthMetadataSchema,
    errors: [404],
    handler: ({ preloop }) =>
      json(oauthServerOf(preloop).metadata(), 200, { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' }),
  }),
  defineRoute({
    method: 'GET',
    path: '/oauth/authorize',
    summary: 'Authorization endpoint: sign-in, then the consent page (authorization code + PKCE S256)',
    tag: 'oauth',
    access: 'public',
    response: html,
    errors: [404],
    responses: { 302: null, 400: html },
    async handler({ preloop, request }) {
      const server = oauthServerOf(preloop);
      const input = Object.fromEntries(new URL(request.url).searchParams);
      const checked = await checkAuthorization(preloop, server, input);
      if (!checked.ok) return checked.response;
      const session = await consoleUser(preloop, request);
      if (!session)
        return loginPage({
          action: server.path('login'),
          returnTo: new URL(request.url).search,
          clientName: checked.client.name,
          error: null,
        });
      const parameters: Record<string, string> = {};
      for (const name of authorizationParameters) if (input[name] !== undefined) parameters[name] = input[name];
      parameters.redirect_uri = checked.redirectUri;
      return consentPage({
        clientName: checked.client.name,
        clientId: checked.client.id,
        redirectHost: hostOf(checked.redirectUri),
        scopes: checked.scopes,
        resource: checked.resource,
        userName: session.principal.name,
        identities: await identitiesOf(preloop, session.principal),
        parameters,
        csrf: server.csrfToken(session.token),
        action: server.path('authorize'),
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/oauth/authorize',
    summary: 'The consent decision (form post from the consent page, CSRF-checked): redirects to the client with a code or access_denied',
    tag: 'oauth',
    access: 'public',
    body: oauthFormBody,
    acceptForm: true,
    status: 303,
    response: null,
    errors: [404],
    responses: { 302: null, 400: [html, errorBodySchema], 403: html },
    async handler({ preloop, request, body }) {
      const server = oauthServerOf(preloop);
      const session = await consoleUser(preloop, request);
      if (!session || crossSite(request) || !server.checkCsrf(session.token, body.csrf ?? ''))
        return refuseAuthorization(
          preloop,
          403,
          'csrf',
          'This consent form is not valid for your session: open the authorization link again.',
          body.client_id ?? null,
        );
      const checked = await checkAuthorization(preloop, server, body);
      if (!checked.ok) return checked.response;
      if (body.decision !== 'allow') {
        await preloop.audit.record({
          actor: session.principal,
          action: 'oauth.consent',
          outcome: 'denied',
          data: { clientId: checked.client.id, clientName: checked.client.name },
        });
        return redirectError(server, checked.redirectUri, checked.state, 'access_denied', 'The user denied the request.');
      }
      const identities = await identitiesOf(preloop, session.principal);
      const chosen = identities.find((identity) => identity.value === (body.identity ?? 'user'));
      if (!chosen) return refuseAuthorization(preloop, 403, 'identity_not_allowed', 'You may not act as this identity.', checked.client.id);
      const { code } = await server.grants.createCode({
        accountId: session.principal.accountId,
        clientId: checked.client.id,
        clientName: checked.client.name,
        redirectUri: checked.redirectUri,
        codeChallenge: checked.challenge,
        resource: checked.resource,
        scopes: checked.scopes,
        userId: session.principal.id,
        agentId: chosen.value.startsWith('agent:') ? chosen.value.slice('agent:'.length) : null,
      });
      const location = new URL(checked.redirectUri);
      location.searchParams.set('code', code);
      if (checked.state !== null) location.searchParams.set('state', checked.state);
      location.searchParams.set('iss', server.options.issuer);
      return new Response(null, { status: 303, headers: { location: location.href, 'cache-control': 'no-store' } });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/oauth/login',
    summary: 'Sign-in form of the authorization endpoint: sets the console session cookie and returns to the authorization request',
    tag: 'oauth',
    access: 'public',
    body: oauthFormBody,
    acceptForm: true,
    status: 303,
    response: null,
    errors: [404],
    responses: { 401: html, 403: html },
    async handler({ preloop, request, body }) {
      const server = oauthServerOf(preloop);
      const returnTo = body.return_to ?? '';
      if (!returnTo.startsWith('?') || crossSite(request))
        return authorizationErrorPage(403, 'This sign-in form is not valid: open the authorization link again.');
      const result = await preloop.identity.consoleSessions.login(body.email ?? '', body.password ?? '', {
        secure: isSecureRequest(request),
        address: clientAddress(request),
      });
      if (!result)
        return loginPage(
          { action: server.path('login'), returnTo, clientName: 'The application', error: 'Invalid email or password.' },
          401,
        );
      return new Response(null, {
        status: 303,
        headers: { location: `${server.path('authorize')}${returnTo}`, 'set-cookie': result.cookie, 'cache-control': 'no-store' },
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/oauth/token',
    summary: 'Token endpoint: authorization code (PKCE) and refresh token (rotated; reuse revokes the grant)',
    tag: 'oauth',
    access: 'public',
    body: oauthFormBody,
    acceptForm: true,
    response: oauthTokenSchema,
    errors: [404],
    responses: { 400: oauthFailure, 401: oauthFailure },
    async handler({ preloop, body }) {
      const server = oauthServerOf(preloop);
      try {
        const clientId = body.client_id;
        if (!clientId)
          throw oauthError('invalid_client', 'client_id is required (public clients authenticate with their client_id and PKCE).');
        const resource = body.resource ?? null;
        let tokens;
        if (body.grant_type === 'authorization_code') {
          if (!body.code || !body.code_verifier || !body.redirect_uri)
            throw oauthError('invalid_request', 'code, code_verifier and redirect_uri are required.');
          tokens = await server.grants.exchangeCode({
            code: body.code,
            clientId,
            redirectUri: body.redirect_uri,
            codeVerifier: body.code_verifier,
            resource,
          });
        } else if (body.grant_type === 'refresh_token') {
          if (!body.refresh_token) throw oauthError('invalid_request', 'refresh_token is required.');
          tokens = await server.grants.refresh({ refreshToken: body.refresh_token, clientId, resource, scope: body.scope ?? null });
        } else {
          throw oauthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
        }
        return json(tokens, 200, { 'cache-control': 'no-store', pragma: 'no-cache' });
      } catch (error) {
        return oauthErrorResponse(error);
      }
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/oauth/register',
    summary: 'Dynamic client registration (RFC 7591): public clients with redirect URIs',
    tag: 'oauth',
    access: 'public',
    body: oauthRegistrationBody,
    status: 201,
    response: oauthClientRegistrationSchema,
    errors: [404, 429],
    responses: { 400: oauthFailure },
    async handler({ preloop, body, request }) {
      const server = oauthServerOf(preloop);
      // Registration is open (RFC 7591): bounded per client address and in total, shared by every instance.
      const taken = await preloop.rateLimits.take([
        { key: `oauth-register:${clientAddress(request) ?? 'unknown'}`, rule: registrationLimits.perAddress },
        { key: 'oauth-register', rule: registrationLimits.total },
      ]);
      if (!taken.allowed)
        throw new PreloopError('RATE_LIMITED', `Too many client registrations; retry in ${taken.retryAfterSeconds} s.`, {
          details: { retryAfterSeconds: taken.retryAfterSeconds },
        });
      try {
        const { client, metadata, issuedAt } = await server.clients.register(preloop.accountId, body);
        return json({ ...metadata, client_id: client.id, client_id_issued_at: Math.floor(issuedAt / 1000) }, 201, {
          'cache-control': 'no-store',
        });
      } catch (error) {
        return oauthErrorResponse(error);
      }
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/oauth/revoke',
    summary: 'Token revocation (RFC 7009): revokes the token and every token of its grant',
    tag: 'oauth',
    access: 'public',
    body: oauthFormBody,
    acceptForm: true,
    response: null,
    errors: [404],
    responses: { 400: oauthFailure },
    async handler({ preloop, body }) {
      const server = oauthServerOf(preloop);
      if (!body.token) return oauthErrorResponse(oauthError('invalid_request', 'token is required.'));
      await server.grants.revoke({ token: body.token, clientId: body.client_id ?? null });
      return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
    },
  }),
];
