import { readdirSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import { packageOptions } from '../../tsup.base.js';

// Decorator settings (experimentalDecorators, useDefineForClassFields: false) come from tsconfig.json.
// `npm run build` empties dist/ first (the builds run side by side, so none cleans).

/** One entry per element (`src/elements/<tag>.ts`): a portal that uses one element loads only it. */
const elements = readdirSync('src/elements')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''));

/** The self-contained browser bundles (what `createConsoleHandler()` serves, and portals may load directly). */
function browserBundle(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    // What a view loads on demand (uPlot for the usage chart) and code shared by the entries go to browser/chunks/.
    splitting: true,
    minify: true,
    sourcemap: true,
    dts: false,
    clean: false,
    esbuildOptions(options) {
      options.legalComments = 'none';
      options.chunkNames = 'browser/chunks/[name]-[hash]';
    },
  };
}

export default defineConfig([
  // The library (the shared base, for browsers): browser entries (Lit and the other dependencies stay external) and the Node server entry.
  packageOptions(
    {
      index: 'src/index.ts',
      define: 'src/define.ts',
      client: 'src/client.ts',
      server: 'src/server.ts',
      'bundle-entry': 'src/bundle-entry.ts',
      ...Object.fromEntries(elements.map((name) => [`elements/${name}`, `src/elements/${name}.ts`])),
    },
    // Loaded only when the console bundle must be built from the sources (see build-console-bundle.ts).
    { clean: false, target: 'es2022', external: ['esbuild'] },
  ),
  // The whole console: one file, plus the chunks it loads on demand.
  browserBundle({ 'browser/preloop-elements': 'src/bundle-entry.ts' }),
  // Each element alone; they share chunks among themselves, not with the whole console.
  browserBundle(Object.fromEntries(elements.map((name) => [`browser/elements/${name}`, `src/elements/${name}.ts`]))),
  // The approval app (what createApproveAppHandler() serves): its page's script, and its service worker as a classic script.
  { ...browserBundle({ 'browser/approve-app': 'src/approve-app/app-entry.ts' }), splitting: false, sourcemap: false },
  {
    ...browserBundle({ 'browser/approve-sw': 'src/approve-app/service-worker.ts' }),
    format: ['iife'],
    splitting: false,
    sourcemap: false,
    outExtension: () => ({ js: '.js' }),
  },
]);
