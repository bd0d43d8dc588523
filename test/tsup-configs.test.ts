import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baseOptions, packageOptions } from '../tsup.base.js';

/**
 * The Node packages whose build is the shared base plus their entries. The console's
 * library build is `packageOptions(…, { target: 'es2022', clean: false })` plus browser
 * bundles; its config reads `src/elements` relative to its folder, so it is not loaded here.
 */
const packages = [
  'core',
  'approvals',
  'flows',
  'mcp',
  'gateway',
  'plugins/anthropic',
  'plugins/gemini',
  'plugins/openai',
  'plugins/slack',
  'plugins/webhook',
  'plugins/email',
  'plugins/push',
  'plugins/github',
  'plugins/gitlab',
  'plugins/jira',
  'plugins/docker',
];

/** The tsup entries a package's `exports` need: `./dist/<name>.js` built from the `@preloop/source` file. */
function entriesOf(dir: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(new URL(`../packages/${dir}/package.json`, import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries: Record<string, string> = {};
  for (const target of Object.values(manifest.exports)) {
    if (typeof target !== 'object' || target === null) continue;
    const { '@preloop/source': source, import: built } = target as Record<string, string>;
    entries[built!.replace(/^\.\/dist\//, '').replace(/\.js$/, '')] = source!.replace(/^\.\//, '');
  }
  return entries;
}

describe('tsup configs', () => {
  it('the base is ESM with source maps for Node 20 (declarations come from one program in scripts/build.mjs), and a package only adds its entries', () => {
    expect(packageOptions({ index: 'src/index.ts' })).toEqual({
      format: ['esm'],
      dts: false,
      sourcemap: true,
      clean: true,
      target: 'node20',
      entry: { index: 'src/index.ts' },
    });
    expect(packageOptions({ index: 'src/index.ts' }, { target: 'es2022' }).target).toBe('es2022');
    expect(baseOptions.format).toEqual(['esm']);
  });

  it.each(packages)('packages/%s builds exactly the entries its exports point at, on the shared base', async (dir) => {
    const { default: config } = (await import(/* @vite-ignore */ new URL(`../packages/${dir}/tsup.config.ts`, import.meta.url).href)) as {
      default: unknown;
    };
    expect(config).toEqual(packageOptions(entriesOf(dir)));
  });
});
