import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    "index": "src/index.ts",
    "node": "src/node.ts",
    "testing": "src/testing.ts",
    "cli/main": "src/cli/main.ts"
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
