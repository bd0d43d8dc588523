import { definePackage } from '../../tsup.base.js';

export default definePackage({ index: 'src/index.ts', node: 'src/node.ts', api: 'src/api.ts', internal: 'src/internal.ts' });
