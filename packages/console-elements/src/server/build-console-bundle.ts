import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';

/** One file of the browser bundle, ready to serve. */
export interface ConsoleAsset {
  /** The JavaScript. */
  code: Uint8Array;
  /** The same, gzip-compressed. */
  gzip: Uint8Array;
  /** The same, brotli-compressed. */
  brotli: Uint8Array;
  /** The first 12 hex digits of its SHA-256 (used in the file name and the ETag). */
  hash: string;
}

/**
 * The browser bundle of the elements, ready to serve: the entry (an ES module
 * registering every element) and the files it and the per-element entries import.
 */
export interface ConsoleBundle extends ConsoleAsset {
  /**
   * The other files, by their path next to the entry: `chunks/<name>-<hash>.js`
   * (code shared by the entries, and what views load on demand, such as uPlot
   * for the usage chart) and `elements/<tag>.js` (one element alone, for a portal
   * that uses only that one).
   */
  files: Record<string, ConsoleAsset>;
  /** Where it came from: the prebuilt `dist/browser` files, or an esbuild build of the sources. */
  origin: 'prebuilt' | 'source';
  /** Milliseconds it took to get (build or read) and compress. */
  durationMs: number;
}

/** Options of {@link buildConsoleBundle}. */
export interface BuildConsoleBundleOptions {
  /**
   * `auto`: the prebuilt `dist/browser/preloop-elements.js` when running from `dist`,
   * else an esbuild build of the sources; `source`: always build; `prebuilt`: never build.
   * @default 'auto'
   */
  from?: 'auto' | 'source' | 'prebuilt';
  /** Minify a source build. @default true */
  minify?: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const runningFromSource = import.meta.url.endsWith('.ts');
const packageRoot = runningFromSource ? path.resolve(here, '../..') : path.resolve(here, '..');
const prebuiltDir = path.join(packageRoot, 'dist', 'browser');
const prebuiltPath = path.join(prebuiltDir, 'preloop-elements.js');
const sourceDir = path.join(packageRoot, 'src');
/** The entry's file name (next to it: `chunks/` and `elements/`). */
const entryName = 'preloop-elements.js';

/**
 * Produces the elements' browser bundle: reads the prebuilt files shipped in
 * `dist/browser`, or (from the sources, as in the monorepo's `npm start`)
 * bundles `src/bundle-entry.ts` and the per-element entries of `src/elements`
 * with esbuild in memory, minified, split into shared chunks. esbuild is
 * loaded only when a build is needed; without it and without a prebuilt file
 * this rejects with a message saying so.
 *
 * @example
 * ```ts
 * const bundle = await buildConsoleBundle();
 * console.log(bundle.hash, bundle.code.byteLength, bundle.gzip.byteLength, Object.keys(bundle.files));
 * ```
 */
export async function buildConsoleBundle(options: BuildConsoleBundleOptions = {}): Promise<ConsoleBundle> {
  const started = performance.now();
  const from = options.from ?? 'auto';
  const usePrebuilt = from === 'prebuilt' || (from === 'auto' && !runningFromSource && existsSync(prebuiltPath));
  const outputs = usePrebuilt ? await readPrebuilt() : await esbuildBundle(options.minify ?? true);
  const entry = outputs.get(entryName);
  if (!entry) throw new Error(`The console bundle has no ${entryName}.`);
  const files: Record<string, ConsoleAsset> = {};
  for (const [name, code] of outputs) if (name !== entryName) files[name] = toAsset(code);
  return { ...toAsset(entry), files, origin: usePrebuilt ? 'prebuilt' : 'source', durationMs: performance.now() - started };
}

/** A file ready to serve: its bytes, gzip and brotli compressed, and its content hash. */
export function toAsset(code: Uint8Array): ConsoleAsset {
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const gzip = gzipSync(code, { level: 9 });
  const brotli = brotliCompressSync(code, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: code.byteLength } });
  return { code, gzip, brotli, hash };
}

/** The prebuilt entry and every `.js` file under `chunks/` and `elements/` beside it. */
async function readPrebuilt(): Promise<Map<string, Uint8Array>> {
  const outputs = new Map<string, Uint8Array>([[entryName, await readFile(prebuiltPath)]]);
  for (const folder of ['chunks', 'elements']) {
    const names = await readdir(path.join(prebuiltDir, folder)).catch(() => [] as string[]);
    for (const name of names.filter((file) => file.endsWith('.js')))
      outputs.set(`${folder}/${name}`, await readFile(path.join(prebuiltDir, folder, name)));
  }
  return outputs;
}

async function esbuildBundle(minify: boolean): Promise<Map<string, Uint8Array>> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(
      `The console bundle is not prebuilt (${path.relative(process.cwd(), prebuiltPath)} is missing) and esbuild is not installed to build it: run the package build, or install esbuild.`,
      { cause: error },
    );
  }
  const outdir = path.join(packageRoot, '.console-bundle');
  const [whole, ...elements] = await consoleEntryPoints(sourceDir);
  // Two builds: the whole console stays one file (plus what it loads on demand),
  // and the per-element entries share chunks among themselves only.
  const builds = await Promise.all(
    [[whole!], elements].map((entryPoints) =>
      esbuild.build({
        entryPoints,
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        minify,
        outdir,
        chunkNames: 'chunks/[name]-[hash]',
        write: false,
        legalComments: 'none',
        logLevel: 'silent',
        tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false, verbatimModuleSyntax: true } },
      }),
    ),
  );
  return new Map(
    builds.flatMap((result) =>
      result.outputFiles.map((file) => [path.relative(outdir, file.path).split(path.sep).join('/'), file.contents] as const),
    ),
  );
}

/**
 * The browser bundle's entry points under `sourceDir` (the package's `src`), as
 * esbuild takes them: the whole console as `preloop-elements`, and each
 * `elements/<tag>.ts` as `elements/<tag>`. The package build uses the same list.
 *
 * @example
 * ```ts
 * const entries = await consoleEntryPoints('packages/console-elements/src');
 * // [{ in: '…/bundle-entry.ts', out: 'preloop-elements' }, { in: '…/elements/preloop-agents.ts', out: 'elements/preloop-agents' }, …]
 * ```
 */
async function consoleEntryPoints(sourceDir: string): Promise<Array<{ in: string; out: string }>> {
  const elements = (await readdir(path.join(sourceDir, 'elements'))).filter((file) => file.endsWith('.ts')).sort();
  return [
    { in: path.join(sourceDir, 'bundle-entry.ts'), out: 'preloop-elements' },
    ...elements.map((file) => ({ in: path.join(sourceDir, 'elements', file), out: `elements/${file.replace(/\.ts$/, '')}` })),
  ];
}
