import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';

/** The browser bundle of the elements, ready to serve. */
export interface ConsoleBundle {
  /** The JavaScript (an ES module registering every element). */
  code: Uint8Array;
  /** The same, gzip-compressed. */
  gzip: Uint8Array;
  /** The same, brotli-compressed. */
  brotli: Uint8Array;
  /** The first 12 hex digits of its SHA-256 (used in the file name and the ETag). */
  hash: string;
  /** Where it came from: the prebuilt `dist/browser` file, or an esbuild build of the sources. */
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
const prebuiltPath = path.join(packageRoot, 'dist', 'browser', 'preloop-elements.js');
const sourceEntry = path.join(packageRoot, 'src', 'bundle-entry.ts');

/**
 * Produces the elements' browser bundle: reads the prebuilt file shipped in
 * `dist/browser`, or (from the sources, as in the monorepo's `npm start`)
 * bundles `src/bundle-entry.ts` with esbuild in memory, minified. esbuild is
 * loaded only when a build is needed; without it and without a prebuilt file
 * this rejects with a message saying so.
 *
 * @example
 * ```ts
 * const bundle = await buildConsoleBundle();
 * console.log(bundle.hash, bundle.code.byteLength, bundle.gzip.byteLength);
 * ```
 */
export async function buildConsoleBundle(options: BuildConsoleBundleOptions = {}): Promise<ConsoleBundle> {
  const started = performance.now();
  const from = options.from ?? 'auto';
  const usePrebuilt = from === 'prebuilt' || (from === 'auto' && !runningFromSource && existsSync(prebuiltPath));
  let code: Uint8Array;
  if (usePrebuilt) {
    code = await readFile(prebuiltPath);
  } else {
    code = await esbuildBundle(options.minify ?? true);
  }
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const gzip = gzipSync(code, { level: 9 });
  const brotli = brotliCompressSync(code, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: code.byteLength } });
  return { code, gzip, brotli, hash, origin: usePrebuilt ? 'prebuilt' : 'source', durationMs: performance.now() - started };
}

async function esbuildBundle(minify: boolean): Promise<Uint8Array> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(
      `The console bundle is not prebuilt (${path.relative(process.cwd(), prebuiltPath)} is missing) and esbuild is not installed to build it: run the package build, or install esbuild.`,
      { cause: error },
    );
  }
  const result = await esbuild.build({
    entryPoints: [sourceEntry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false, verbatimModuleSyntax: true } },
  });
  return result.outputFiles[0]!.contents;
}
