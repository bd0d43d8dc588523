import { createHash } from 'node:crypto';

/** What the console's HTML page needs. */
export interface ConsolePageOptions {
  /** The page title. */
  title: string;
  /** The mount path, ending in `/`. */
  basePath: string;
  /** The bundle's URL. */
  scriptUrl: string;
  /** The Preloop server's base URL for the console (`''`: same origin). */
  apiBaseUrl: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The only inline CSS of the page: the background while the bundle loads. */
export const pageStyle =
  'html,body{margin:0;background:#f5f6f8;color-scheme:light dark}@media (prefers-color-scheme:dark){html,body{background:#0b0d12}}';

/** The CSP source of {@link pageStyle}. */
export const pageStyleHash = `'sha256-${createHash('sha256').update(pageStyle).digest('base64')}'`;

/** The console's favicon. */
export const faviconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="#4f46e5"/><path d="M7 12.5a5 5 0 1 1 5 5h-1.5M12 17.5V20" fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/><circle cx="12" cy="12.5" r="1.6" fill="#fff"/></svg>';

/**
 * The HTML page of the console: a `<preloop-console>` filling the viewport and the bundle as a module script.
 *
 * @example
 * ```ts
 * const html = consolePage({ title: 'Preloop', basePath: '/', scriptUrl: '/assets/preloop-elements.abc.js', apiBaseUrl: '' });
 * ```
 */
export function consolePage(options: ConsolePageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="${escapeHtml(options.basePath)}favicon.svg" type="image/svg+xml">
<link rel="modulepreload" href="${escapeHtml(options.scriptUrl)}">
<style>${pageStyle}</style>
</head>
<body>
<preloop-console base-url="${escapeHtml(options.apiBaseUrl)}" routing="path" base-path="${escapeHtml(options.basePath)}"></preloop-console>
<script type="module" src="${escapeHtml(options.scriptUrl)}"></script>
</body>
</html>
`;
}
