import { randomBytes } from 'node:crypto';

/**
 * Escapes text for HTML content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
}

/** One identity the consent page offers: the user, or a managed agent. */
export interface ConsentIdentity {
  /** `user`, or `agent:<id>`. */
  value: string;
  label: string;
}

/** What the consent page shows. */
export interface ConsentPageInput {
  clientName: string;
  clientId: string;
  /** The host (or scheme) the browser will be sent back to. */
  redirectHost: string;
  scopes: string[];
  resource: string;
  userName: string;
  identities: ConsentIdentity[];
  /** The authorization request's parameters, echoed in hidden fields. */
  parameters: Record<string, string>;
  /** The CSRF token bound to the console session. */
  csrf: string;
  /** Where the form posts. */
  action: string;
}

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
dt{font-weight:600;margin-top:.5rem}dd{margin:0}label{display:block;margin:.25rem 0}input[type=email],input[type=password]{font:inherit;width:100%;padding:.4rem;margin:.25rem 0 .75rem}
button{font:inherit;padding:.5rem 1.25rem;margin:.75rem .5rem 0 0;border-radius:6px;border:1px solid #888;cursor:pointer}
button.allow{background:#1a7f37;color:#fff}button.deny{background:#fff}.note{color:#57606a;font-size:.9em}.error{color:#cf222e;font-weight:600}`;

/** Headers of every authorization page: no caching, no referrer, no framing, a nonce'd style only, no script. */
function pageHeaders(nonce: string, extra?: HeadersInit): Headers {
  const headers = new Headers(extra);
  headers.set('content-type', 'text/html; charset=utf-8');
  headers.set('cache-control', 'no-store');
  headers.set('referrer-policy', 'no-referrer');
  headers.set('x-frame-options', 'DENY');
  headers.set('x-content-type-options', 'nosniff');
  headers.set('x-robots-tag', 'noindex, nofollow');
  // No form-action: the consent form's answer redirects to the client's own redirect URI (another origin).
  headers.set('content-security-policy', `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'none'; base-uri 'none'`);
  return headers;
}

function page(title: string, body: string, status: number, headers?: HeadersInit): Response {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${style}</style></head><body>
${body}
</body></html>`;
  return new Response(html, { status, headers: pageHeaders(nonce, headers) });
}

const hidden = (parameters: Record<string, string>) =>
  Object.entries(parameters)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');

/**
 * Renders the consent page: the client, where the browser goes back to, the
 * scopes, and the identity the client will act as (the user or one of the
 * agents they may act for). Only its POST (with the CSRF token) decides.
 *
 * @example
 * ```ts
 * return consentPage({ clientName: 'Claude Code', clientId, redirectHost: 'localhost:4123', scopes: ['mcp'], resource, userName: 'Ada', identities, parameters, csrf, action });
 * ```
 */
export function consentPage(input: ConsentPageInput): Response {
  const identities = input.identities
    .map(
      (identity, index) =>
        `<label><input type="radio" name="identity" value="${escapeHtml(identity.value)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(identity.label)}</label>`,
    )
    .join('\n');
  const body = `<h1>Allow ${escapeHtml(input.clientName)} to use Preloop?</h1>
<p class="note">Signed in as ${escapeHtml(input.userName)}.</p>
<dl>
<dt>Application</dt><dd>${escapeHtml(input.clientName)} <span class="note">(${escapeHtml(input.clientId)})</span></dd>
<dt>You will be sent back to</dt><dd><code>${escapeHtml(input.redirectHost)}</code></dd>
<dt>Access requested</dt><dd>${input.scopes.map((scope) => `<code>${escapeHtml(scope)}</code>`).join(' ')}: list and call the tools of <code>${escapeHtml(input.resource)}</code>, under policy and approvals</dd>
</dl>
<form method="post" action="${escapeHtml(input.action)}">
<fieldset><legend>Act as</legend>
${identities}
</fieldset>
${hidden(input.parameters)}
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<button type="submit" name="decision" value="allow" class="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="deny">Deny</button>
</form>
<p class="note">Every call the application makes is checked by policy and recorded in the audit trail under the identity you choose. You can revoke its access at any time.</p>`;
  return page('Authorize application', body, 200);
}

/**
 * Renders the sign-in form shown to a browser without a console session; it
 * posts back and returns to the same authorization request.
 *
 * @example
 * ```ts
 * return loginPage({ action: '/api/v1/oauth/login', returnTo: '?client_id=…', clientName: 'Claude Code', error: null });
 * ```
 */
export function loginPage(input: { action: string; returnTo: string; clientName: string; error: string | null }, status = 200): Response {
  const body = `<h1>Sign in to Preloop</h1>
<p class="note">${escapeHtml(input.clientName)} asks to connect to Preloop. Sign in to review the request.</p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}">
<label>Email<input type="email" name="email" autocomplete="username" required></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<input type="hidden" name="return_to" value="${escapeHtml(input.returnTo)}">
<button type="submit" class="allow">Sign in</button>
</form>`;
  return page('Sign in', body, status);
}

/**
 * Renders an authorization error that must not be sent to the client's
 * redirect URI (an unknown client, an unregistered redirect URI, a failed CSRF check).
 *
 * @example
 * ```ts
 * return authorizationErrorPage(400, 'The redirect URI is not registered for this client.');
 * ```
 */
export function authorizationErrorPage(status: number, message: string): Response {
  return page('Authorization refused', `<h1>Authorization refused</h1><p class="error">${escapeHtml(message)}</p>`, status);
}
