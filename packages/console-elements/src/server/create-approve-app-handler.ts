import { createHash } from 'node:crypto';
import { buildApproveApp, type ApproveAppBundle } from './build-approve-app.js';
import { pageStyle, pageStyleHash } from './console-page.js';
import { asset, buildOnce, htmlPage, immutable, pageCsp, text, toBasePath } from './http-assets.js';

/** Options of {@link createApproveAppHandler}. */
export interface ApproveAppHandlerOptions {
  /** Where the app is mounted: its scope, `start_url`, and the path of pairing links. @default '/approve/' */
  basePath?: string;
  /** The Preloop server the app talks to (`''`: the page's own origin). @default '' */
  apiBaseUrl?: string;
  /** The app's name (title, manifest `name`). @default 'Preloop Approvals' */
  name?: string;
  /** Where the scripts come from. @default 'auto' */
  from?: 'auto' | 'source' | 'prebuilt';
}

/** A web-standard handler serving the approval app, with a way to wait until its files are ready. */
export interface ApproveAppHandler {
  (request: Request): Promise<Response>;
  /** Resolves once the scripts are built (or read); rejects with the reason they cannot be. */
  ready(): Promise<ApproveAppBundle>;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * Serves the installable approval app (issue 14) under `basePath`: the page
 * (`<preloop-approve-app>` alone, for phones and watches), its web app manifest
 * (`display: standalone`, `start_url` and `scope` = `basePath`, 192 and 512 px icons
 * and a maskable one), the service worker `sw.js` (push notifications with
 * Approve / Deny, decided with the device's own key; an offline shell), the
 * script (content-hashed, cached forever) and the icons. Like the console, it
 * builds in memory from the sources when there is no prebuilt file, so `npm start`
 * needs no build step. Pairing links (`<publicUrl>/approve/#pair=<token>`) open here.
 *
 * @example
 * ```ts
 * const approveApp = createApproveAppHandler();
 * const handler = composeHandlers([
 *   { prefix: '/api/v1', handler: preloop.api },
 *   { prefix: '/approve', handler: approveApp },
 * ]);
 * ```
 */
export function createApproveAppHandler(options: ApproveAppHandlerOptions = {}): ApproveAppHandler {
  const basePath = toBasePath(options.basePath ?? '/approve/');
  const apiBaseUrl = options.apiBaseUrl ?? '';
  const name = options.name ?? 'Preloop Approvals';
  const ready = buildOnce(() => buildApproveApp({ from: options.from }));

  const manifest = new TextEncoder().encode(
    JSON.stringify({
      id: basePath,
      name,
      short_name: 'Approvals',
      description: 'Approve or deny what your AI agents ask, from your phone or watch.',
      start_url: basePath,
      scope: basePath,
      display: 'standalone',
      orientation: 'portrait',
      background_color: '#f5f6f8',
      theme_color: '#4f46e5',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    }),
  );
  const manifestHash = createHash('sha256').update(manifest).digest('hex').slice(0, 12);
  const csp = pageCsp(apiBaseUrl, pageStyleHash, ["manifest-src 'self'", "worker-src 'self'"]);

  const handler = (async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text('Method not allowed', 405, { allow: 'GET, HEAD' });
    const { pathname, search } = new URL(request.url);
    if (pathname === basePath.slice(0, -1)) return new Response(null, { status: 308, headers: { location: `${basePath}${search}` } });
    if (!pathname.startsWith(basePath)) return text('Not found', 404);
    const relative = pathname.slice(basePath.length);
    if (relative === 'manifest.webmanifest') return asset(request, manifest, 'application/manifest+json', 'no-cache', manifestHash);
    let bundle: ApproveAppBundle;
    try {
      bundle = await ready();
    } catch (error) {
      return text(`The approval app is unavailable: ${(error as Error).message}`, 500);
    }
    const scriptName = `assets/approve-app.${bundle.app.hash}.js`;
    if (relative === '' || relative === 'index.html') {
      const page = approveAppPage({ name, scriptUrl: `${basePath}${scriptName}`, apiBaseUrl, basePath });
      return htmlPage(request, page, csp);
    }
    if (relative === scriptName) return asset(request, bundle.app, 'text/javascript; charset=utf-8', immutable, bundle.app.hash);
    // The worker's own URL never changes; the browser checks it for updates on each visit.
    if (relative === 'sw.js')
      return asset(request, bundle.serviceWorker, 'text/javascript; charset=utf-8', 'no-cache', bundle.serviceWorker.hash);
    const icon = relative.startsWith('icons/') ? bundle.icons[relative.slice('icons/'.length)] : undefined;
    if (icon) return asset(request, icon, 'image/png', 'public, max-age=86400', null);
    return text('Not found', 404);
  }) as ApproveAppHandler;
  handler.ready = ready;
  return handler;
}

/** The app's HTML page: `<preloop-approve-app>` filling the screen, the manifest, and the script. */
function approveAppPage(options: { name: string; scriptUrl: string; apiBaseUrl: string; basePath: string }): string {
  const base = escapeHtml(options.basePath);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="#4f46e5">
<title>${escapeHtml(options.name)}</title>
<link rel="manifest" href="${base}manifest.webmanifest">
<link rel="icon" href="${base}icons/icon-192.png" type="image/png">
<link rel="apple-touch-icon" href="${base}icons/icon-192.png">
<link rel="modulepreload" href="${escapeHtml(options.scriptUrl)}">
<style>${pageStyle}</style>
</head>
<body>
<preloop-approve-app base-url="${escapeHtml(options.apiBaseUrl)}" hash-routing service-worker="${base}sw.js"></preloop-approve-app>
<script type="module" src="${escapeHtml(options.scriptUrl)}"></script>
</body>
</html>
`;
}
