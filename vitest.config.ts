import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
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
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        plugins: [preloopApiProxy()],
        resolve: { conditions: ['@preloop/source', 'module', 'browser', 'development|production'] },
        test: {
          name: 'browser',
          include: ['packages/console-elements/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['packages/console-elements/test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: {
                executablePath: '/usr/bin/chromium',
                args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
