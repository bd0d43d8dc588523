import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toAsset, type ConsoleAsset } from './build-console-bundle.js';

/** The approval app's files, ready to serve. */
export interface ApproveAppBundle {
  /** The app's script (an ES module registering `<preloop-approve-app>`). */
  app: ConsoleAsset;
  /** The service worker (a classic script). */
  serviceWorker: ConsoleAsset;
  /** The PNG icons by file name: `icon-192.png`, `icon-512.png`, `maskable-512.png`. */
  icons: Record<string, Uint8Array>;
  /** Where the scripts came from: the prebuilt `dist/browser` files, or an esbuild build of the sources. */
  origin: 'prebuilt' | 'source';
}

const here = path.dirname(fileURLToPath(import.meta.url));
const runningFromSource = import.meta.url.endsWith('.ts');
const packageRoot = runningFromSource ? path.resolve(here, '../..') : path.resolve(here, '..');
const prebuilt = {
  app: path.join(packageRoot, 'dist/browser/approve-app.js'),
  serviceWorker: path.join(packageRoot, 'dist/browser/approve-sw.js'),
};
const sources = {
  app: path.join(packageRoot, 'src/approve-app/app-entry.ts'),
  serviceWorker: path.join(packageRoot, 'src/approve-app/service-worker.ts'),
};
/** The icons ship as files in the package (`src/approve-app/icons`). */
const iconDir = path.join(packageRoot, 'src/approve-app/icons');
const iconNames = ['icon-192.png', 'icon-512.png', 'maskable-512.png'];

/**
 * Produces the approval app's script and service worker: the prebuilt files of
 * `dist/browser` when running from `dist`, else an esbuild build of the
 * sources in memory (as in the monorepo's `npm start`), minified; and its icons.
 *
 * @example
 * ```ts
 * const { app, serviceWorker } = await buildApproveApp();
 * console.log(app.hash, serviceWorker.code.byteLength);
 * ```
 */
export async function buildApproveApp(options: { from?: 'auto' | 'source' | 'prebuilt' } = {}): Promise<ApproveAppBundle> {
  const from = options.from ?? 'auto';
  const usePrebuilt = from === 'prebuilt' || (from === 'auto' && !runningFromSource && existsSync(prebuilt.app));
  const [app, serviceWorker] = usePrebuilt
    ? await Promise.all([readFile(prebuilt.app), readFile(prebuilt.serviceWorker)])
    : await esbuildApp();
  const icons: Record<string, Uint8Array> = {};
  for (const name of iconNames) icons[name] = await readFile(path.join(iconDir, name));
  return { app: toAsset(app), serviceWorker: toAsset(serviceWorker), icons, origin: usePrebuilt ? 'prebuilt' : 'source' };
}

async function esbuildApp(): Promise<[Uint8Array, Uint8Array]> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error('The approval app is not prebuilt (dist/browser/approve-app.js is missing) and esbuild is not installed to build it.', {
      cause: error,
    });
  }
  const common = {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false, verbatimModuleSyntax: true } },
  } as const;
  const [app, serviceWorker] = await Promise.all([
    esbuild.build({ ...common, entryPoints: [sources.app], format: 'esm' }),
    esbuild.build({ ...common, entryPoints: [sources.serviceWorker], format: 'iife' }),
  ]);
  return [app.outputFiles[0]!.contents, serviceWorker.outputFiles[0]!.contents];
}
