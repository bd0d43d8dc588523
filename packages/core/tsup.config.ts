import { definePackage } from '../../tsup.base.js';

export default definePackage({
  index: 'src/index.ts',
  node: 'src/node.ts',
  testing: 'src/testing.ts',
  api: 'src/api.ts',
  internal: 'src/internal.ts',
  'cli/main': 'src/cli/main.ts',
});
