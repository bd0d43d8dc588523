/**
 * The page served at `/` until the console is mounted there: what runs and where.
 *
 * @example
 * ```ts
 * const response = landingPage();
 * ```
 */
export function landingPage(): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preloop</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}code{background:#f2f4f7;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>Preloop is running</h1>
<ul>
<li>Admin API: <a href="/api/v1/openapi.json"><code>/api/v1</code></a> (OpenAPI document)</li>
<li>Health: <a href="/api/v1/health"><code>/api/v1/health</code></a></li>
</ul>
</body></html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}
