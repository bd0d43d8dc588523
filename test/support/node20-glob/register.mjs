// Lets @modelcontextprotocol/conformance, which imports Node 22's `fs.globSync`,
// run on Node 20: inside that package only, `fs` resolves to node:fs plus a
// `globSync` from tinyglobby. On Node 22 and later it does nothing.
// Use: NODE_OPTIONS="--import ./test/support/node20-glob/register.mjs" npx conformance …
import fs from 'node:fs';
import { register } from 'node:module';

if (typeof fs.globSync !== 'function') register('./hooks.mjs', import.meta.url);
