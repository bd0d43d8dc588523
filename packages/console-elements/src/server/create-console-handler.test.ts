import { describe, expect, it } from 'vitest';

// The test kernel serves `createConsoleHandler({ basePath: '/console/' })` on its real port; the test page reaches it through its own origin.

describe('createConsoleHandler', () => {
  it('serves the console page with a strict Content-Security-Policy', async () => {
    const response = await fetch('/console/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).toContain('<preloop-console base-url="" routing="path" base-path="/console/">');
    expect(html).toMatch(/<script type="module" src="\/console\/assets\/preloop-elements\.[0-9a-f]{12}\.js">/);
  });

  it('serves console routes (the links notifications use) as the page, and nothing else', async () => {
    expect((await fetch('/console/approvals/apr_123')).headers.get('content-type')).toContain('text/html');
    expect((await fetch('/console/settings/policy')).status).toBe(200);
    expect((await fetch('/console/nope')).status).toBe(404);
    expect((await fetch('/console/', { method: 'POST' })).status).toBe(405);
  });

  it('serves the bundle compressed, cacheable forever under its hash, with an ETag', async () => {
    const html = await (await fetch('/console/')).text();
    const script = html.match(/src="(\/console\/assets\/preloop-elements\.([0-9a-f]{12})\.js)"/)!;
    const response = await fetch(script[1]!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(response.headers.get('etag')).toBe(`"${script[2]}"`);
    expect(await response.text()).toContain('preloop-approval-queue');
    const stable = await fetch('/console/assets/preloop-elements.js', { headers: { 'if-none-match': `"${script[2]}"` } });
    expect(stable.status).toBe(304);
  });

  it('loads in the browser and registers every element', async () => {
    const html = await (await fetch('/console/')).text();
    const src = html.match(/src="([^"]+)"/)![1]!;
    const bundle = (await import(/* @vite-ignore */ `${location.origin}${src}`)) as {
      PreloopClient: unknown;
      preloopElements: Record<string, unknown>;
    };
    expect(typeof bundle.PreloopClient).toBe('function');
    expect(Object.keys(bundle.preloopElements)).toContain('preloop-console');
  });
});
