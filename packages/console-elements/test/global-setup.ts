/**
 * Global setup of the `browser` project (runs in Node): starts the test kernel
 * on a real port, points the test page's `/api/v1` proxy at it, hands the seed
 * to the tests (`inject('preloop')`) and the kernel to the browser commands.
 */
import type { TestProject } from 'vitest/node';
import { referenceServerKey, testKernelKey } from './browser-commands.js';
import { startReferenceFixture } from './reference-fixture.js';
import { startTestKernel } from './test-kernel.js';
import { testApiUrlVariable } from './vite-api-proxy.js';

export default async function setup(project: TestProject) {
  const kernel = await startTestKernel();
  process.env[testApiUrlVariable] = kernel.server.url;
  (globalThis as Record<symbol, unknown>)[testKernelKey] = kernel;
  (globalThis as Record<symbol, unknown>)[referenceServerKey] = startReferenceFixture;
  project.provide('preloop', kernel.seed);
  return async () => {
    await kernel.close();
  };
}
