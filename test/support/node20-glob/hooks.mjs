// Resolve hook: `fs` / `node:fs` imported from the conformance package resolve to fs-with-glob.mjs.
const withGlob = new URL('./fs-with-glob.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  const fromConformance = context.parentURL?.includes('/@modelcontextprotocol/conformance/');
  if (fromConformance && (specifier === 'fs' || specifier === 'node:fs')) return { url: withGlob, shortCircuit: true };
  return next(specifier, context);
}
