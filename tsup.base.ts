import { defineConfig, type Options } from 'tsup';

/**
 * The build options every package shares: ES modules, source maps, `dist/`
 * emptied first, Node 20 syntax. No declarations here: `npm run build`
 * (`scripts/build.mjs`) emits those of all packages from one TypeScript program. A package's
 * `tsup.config.ts` names only its entries (and what it does differently).
 */
export const baseOptions = {
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
} as const satisfies Options;

/**
 * The tsup options of one package: {@link baseOptions} with its entries
 * (output name → source file) and any overrides.
 *
 * @example
 * ```ts
 * export default defineConfig(packageOptions({ index: 'src/index.ts', node: 'src/node.ts' }));
 * ```
 */
export function packageOptions(entry: Record<string, string>, overrides: Options = {}): Options {
  return { ...baseOptions, format: [...baseOptions.format], entry, ...overrides };
}

/**
 * A package's whole tsup config from its entries: `export default definePackage({ index: 'src/index.ts' })`.
 *
 * @example
 * ```ts
 * export default definePackage({ index: 'src/index.ts' });
 * ```
 */
export function definePackage(entry: Record<string, string>, overrides: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig(packageOptions(entry, overrides));
}
