import { defineConfig } from 'tsup';

// Decorator settings (experimentalDecorators, useDefineForClassFields: false) come from tsconfig.json.
// `npm run build` empties dist/ first (the two builds run side by side, so neither cleans).
export default defineConfig([
  // The library: browser entries (Lit and the other dependencies stay external) and the Node server entry.
  {
    entry: {
      index: 'src/index.ts',
      define: 'src/define.ts',
      client: 'src/client.ts',
      server: 'src/server.ts',
      'bundle-entry': 'src/bundle-entry.ts',
    },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    // Loaded only when the console bundle must be built from the sources (see build-console-bundle.ts).
    external: ['esbuild'],
  },
  // The self-contained browser bundle `createConsoleHandler()` serves (and portals may load directly).
  {
    entry: { 'browser/preloop-elements': 'src/bundle-entry.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    splitting: false,
    minify: true,
    sourcemap: true,
    dts: false,
    clean: false,
    esbuildOptions(options) {
      options.legalComments = 'none';
    },
  },
]);
