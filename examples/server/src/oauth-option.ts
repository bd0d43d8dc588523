import type { OAuthOptions } from '@preloop/core';

/**
 * The reference server's OAuth option for remote MCP clients: on when
 * `PRELOOP_PUBLIC_URL` is set to an https (or loopback http) URL, with that URL
 * as the issuer; `PRELOOP_OAUTH=false` turns it off, `PRELOOP_OAUTH=true`
 * requires it (a public URL that cannot be an issuer is then a start-up error).
 *
 * @example
 * ```ts
 * oauthOption({ PRELOOP_PUBLIC_URL: 'https://preloop.example.com' }); // { issuer: 'https://preloop.example.com' }
 * ```
 */
export function oauthOption(env: NodeJS.ProcessEnv): OAuthOptions | undefined {
  const setting = (env.PRELOOP_OAUTH ?? '').trim().toLowerCase();
  if (setting !== '' && setting !== 'true' && setting !== 'false')
    throw new Error(`PRELOOP_OAUTH must be true or false, got "${env.PRELOOP_OAUTH}"`);
  if (setting === 'false') return undefined;
  const publicUrl = env.PRELOOP_PUBLIC_URL?.trim().replace(/\/+$/, '');
  if (!publicUrl) {
    if (setting === 'true')
      throw new Error('PRELOOP_OAUTH=true needs PRELOOP_PUBLIC_URL (the issuer, for example https://preloop.example.com)');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new Error(`PRELOOP_PUBLIC_URL must be a URL such as https://preloop.example.com, got "${env.PRELOOP_PUBLIC_URL}"`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  // A plain-http public URL off loopback cannot be an OAuth issuer: off by default, a start-up error when required.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback) && setting !== 'true') return undefined;
  return { issuer: publicUrl };
}
