import { describe, expect, it } from 'vitest';

// The test kernel serves `createConsoleHandler({ basePath: '/console/' })`: these
// measure what a browser downloads from it, gzip-compressed (CompressionStream,
// zlib's default level: a little above what the server sends at level 9).

const kilobyte = 1000;

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The files a browser loads before the module runs: `url` and its static imports, recursively (not `import()`). */
async function staticClosure(url: string, seen = new Map<string, string>()): Promise<Map<string, string>> {
  if (seen.has(url)) return seen;
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  const code = await response.text();
  seen.set(url, code);
  for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g))
    await staticClosure(new URL(match[1]!, url).href, seen);
  return seen;
}

/** Everything `import()` in `files` names (what loads on demand). */
function lazyImports(files: Map<string, string>): string[] {
  return [...files].flatMap(([url, code]) =>
    [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((match) => new URL(match[1]!, url).href),
  );
}

async function gzipTotal(files: Map<string, string>): Promise<number> {
  let total = 0;
  for (const code of files.values()) total += await gzipSize(code);
  return total;
}

async function consoleScript(): Promise<string> {
  const html = await (await fetch('/console/')).text();
  return new URL(html.match(/src="([^"]+)"/)![1]!, location.origin).href;
}

describe('console bundle size', () => {
  it('loads the whole console in at most 96 KB gzip; uPlot only when a usage chart draws, the virtualizer only for a long audit log', async () => {
    const files = await staticClosure(await consoleScript());
    const total = await gzipTotal(files);
    console.info(`console first load: ${files.size} file(s), ${(total / kilobyte).toFixed(1)} KB gzip`);
    // 66 KB before the issues, flows, executions, tracker and device pages; 87.6 KB with them (first load: every page is in it).
    expect(total).toBeLessThanOrEqual(96 * kilobyte);
    // uPlot (its month names are a marker no other dependency has) is not in it, and is imported on demand.
    const lazy = lazyImports(files);
    const uplot = lazy.find((url) => /uPlot/i.test(url));
    expect(uplot, 'uPlot is loaded on demand').toBeDefined();
    expect([...files.values()].some((code) => code.includes('January'))).toBe(false);
    // Nor the virtualizer: the audit log loads it once a list is long enough to need it.
    expect([...files.values()].some((code) => code.includes('virtualizer-sizer'))).toBe(false);
    // Lit's production build: its development build (warnings, extra checks) announces itself with this.
    expect([...files.values()].some((code) => code.includes('Lit is in dev mode'))).toBe(false);
    const chart = await fetch(uplot!);
    expect(chart.status).toBe(200);
    expect(chart.headers.get('cache-control')).toContain('immutable');
  });

  it('serves each element alone: a portal that uses the approval card loads well under half of the console', async () => {
    const whole = await gzipTotal(await staticClosure(await consoleScript()));
    const card = await staticClosure(new URL('/console/assets/elements/preloop-approval-card.js', location.origin).href);
    const size = await gzipTotal(card);
    console.info(`<preloop-approval-card> alone: ${card.size} file(s), ${(size / kilobyte).toFixed(1)} KB gzip`);
    expect(size).toBeLessThan(whole / 2);
    // It works on its own: importing it registers the element and hands over PreloopClient.
    const module = (await import(
      /* @vite-ignore */ new URL('/console/assets/elements/preloop-approval-card.js', location.origin).href
    )) as { PreloopClient: unknown; PreloopApprovalCard: CustomElementConstructor };
    expect(typeof module.PreloopClient).toBe('function');
    expect(customElements.getName(module.PreloopApprovalCard)).toMatch(/^preloop-approval-card/);
    expect((await fetch('/console/assets/elements/nope.js')).status).toBe(404);
  });
});
