import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { consoleTestCommands } from './packages/console-elements/test/browser-commands.js';
import { preloopApiProxy } from './packages/console-elements/test/vite-api-proxy.js';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources (the `@preloop/source` export condition).
  resolve: { conditions: ['@preloop/source'] },
  ssr: { resolve: { conditions: ['@preloop/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/**/src/**/*.test.ts', 'examples/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'packages/console-elements/**'],
          // Two files at a time even on 2 cores (Vitest's default there is 1): most suites wait on
          // child processes, sockets and databases, not the CPU, so this halves the wall time of CI.
          maxWorkers: 2,
          // A worker keeps the modules it imported from one file to the next instead of importing the
          // kernel again for every file (importing was over half of a file's time): the suites share no
          // module-level state (no package keeps per-kernel state in module maps), and each file
          // closes what it opened.
          isolate: false,
          // Generous: several suites start child processes, PostgreSQL clusters and real agents on 2 shared cores.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        plugins: [preloopApiProxy()],
        // The global setup and browser commands run in the `__vitest__` environment, which needs the source condition too.
        environments: { __vitest__: { resolve: { conditions: ['@preloop/source', 'module', 'node', 'development|production'] } } },
        // Pre-bundle the elements' dependencies up front, so Vite never reloads a test page to add one.
        optimizeDeps: {
          include: [
            'lit',
            'lit/decorators.js',
            'lit/directive.js',
            'lit/directives/repeat.js',
            'lit/static-html.js',
            '@lit/context',
            '@lit/task',
            '@lit-labs/virtualizer/virtualize.js',
            '@lit-labs/virtualizer/layouts/flow.js',
            'uplot',
            'eventsource-parser',
            'axe-core',
          ],
        },
        test: {
          name: 'browser',
          include: ['packages/console-elements/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['packages/console-elements/test/global-setup.ts'],
          // One page at a time: the files share the kernel and the browser's cookie jar.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Lit announces its development build once per page; nothing else to see.
          onConsoleLog: (log) => !log.includes('Lit is in dev mode'),
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: {
                executablePath: '/usr/bin/chromium',
                args: [
                  '--no-sandbox',
                  '--disable-gpu',
                  '--disable-quic',
                  '--no-first-run',
                  '--disable-background-networking',
                  '--disable-component-update',
                  '--disable-sync',
                ],
              },
            }),
            instances: [{ browser: 'chromium' }],
            commands: consoleTestCommands,
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
