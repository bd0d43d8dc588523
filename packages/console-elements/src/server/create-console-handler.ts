import { buildConsoleBundle, type BuildConsoleBundleOptions, type ConsoleBundle } from './build-console-bundle.js';
import { consoleSections, type ConsoleSection } from '../shared/console-routes.js';
import { consolePage, faviconSvg, pageStyleHash } from './console-page.js';
import { asset, buildOnce, htmlPage, immutable, pageCsp, text, toBasePath } from './http-assets.js';

/** Options of {@link createConsoleHandler}. */
export interface ConsoleHandlerOptions {
  /** Where the handler is mounted; requests outside it get a 404. @default '/' */
  basePath?: string;
  /** The Preloop server the console talks to (`''`: the page's own origin, where `/api/v1` is). @default '' */
  apiBaseUrl?: string;
  /** The page title. @default 'Preloop' */
  title?: string;
  /** Where the bundle comes from. @default { from: 'auto', minify: true } */
  bundle?: BuildConsoleBundleOptions;
}

/** A web-standard handler serving the console, with a way to wait until its bundle is ready. */
export interface ConsoleHandler {
  (request: Request): Promise<Response>;
  /** Resolves once the bundle is built (or read) and cached; rejects with the reason it cannot be. */
  ready(): Promise<ConsoleBundle>;
}

/**
 * Serves the whole Preloop console: `GET <basePath>` (and every console view's
 * path, such as `<basePath>approvals/<id>`, the link approval notifications use) is a page with
 * `<preloop-console>`, and `<basePath>assets/preloop-elements.<hash>.js` its
 * bundle (cached forever; also at the stable `assets/preloop-elements.js`, with
 * CORS, for portal pages that load the elements from Preloop), the chunks it
 * loads (`assets/chunks/*`, cached forever) and one entry per element
 * (`assets/elements/<tag>.js`, for a portal that uses only that one). The bundle is
 * built once, in memory, when the handler is created (esbuild over the
 * sources, or the prebuilt file from `dist`), so no build step is needed
 * before `npm start`. Responses are gzip or brotli compressed when accepted,
 * carry ETags, and the page a strict Content-Security-Policy.
 *
 * @example
 * ```ts
 * const consoleHandler = createConsoleHandler();
 * await consoleHandler.ready(); // optional: fail at start-up rather than on the first request
 * const handler = composeHandlers([
 *   { prefix: '/api/v1', handler: preloop.api },
 *   { prefix: '/', handler: consoleHandler },
 * ]);
 * ```
 */
export function createConsoleHandler(options: ConsoleHandlerOptions = {}): ConsoleHandler {
  const basePath = toBasePath(options.basePath ?? '/');
  const apiBaseUrl = options.apiBaseUrl ?? '';
  const title = options.title ?? 'Preloop';
  const ready = buildOnce(() => buildConsoleBundle(options.bundle)); // starts now; errors surface on requests and ready()

  const csp = pageCsp(apiBaseUrl, pageStyleHash);

  const handler = (async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text('Method not allowed', 405, { allow: 'GET, HEAD' });
    const { pathname } = new URL(request.url);
    const relative = pathname === basePath.slice(0, -1) ? '' : pathname.startsWith(basePath) ? pathname.slice(basePath.length) : null;
    if (relative === null) return text('Not found', 404);
    if (relative === 'favicon.svg')
      return asset(request, new TextEncoder().encode(faviconSvg), 'image/svg+xml', 'public, max-age=86400', null);

    let bundle: ConsoleBundle;
    try {
      bundle = await ready();
    } catch (error) {
      return text(`The Preloop console is unavailable: ${(error as Error).message}`, 500);
    }
    const scriptName = `assets/preloop-elements.${bundle.hash}.js`;
    const section = relative.split('/')[0] as ConsoleSection;
    if (relative === '' || relative === 'index.html' || consoleSections.includes(section)) {
      const page = consolePage({ title, basePath, scriptUrl: `${basePath}${scriptName}`, apiBaseUrl });
      return htmlPage(request, page, csp);
    }
    if (relative === scriptName) return asset(request, bundle, 'text/javascript; charset=utf-8', immutable, bundle.hash);
    if (relative === 'assets/preloop-elements.js') return asset(request, bundle, 'text/javascript; charset=utf-8', 'no-cache', bundle.hash);
    // The chunks the entries import (content-hashed names: cached forever) and the per-element entries (stable names).
    const file = relative.startsWith('assets/') ? bundle.files[relative.slice('assets/'.length)] : undefined;
    if (file)
      return asset(
        request,
        file,
        'text/javascript; charset=utf-8',
        relative.startsWith('assets/chunks/') ? immutable : 'no-cache',
        file.hash,
      );
    return text('Not found', 404);
  }) as ConsoleHandler;
  handler.ready = ready;
  return handler;
}
