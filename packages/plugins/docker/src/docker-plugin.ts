import { definePlugin, PreloopError } from '@preloop/core';
import { containerRuntime, type ContainerRuntimeSettings } from './container-runtime.js';

/** Options of the {@link docker} plugin: how to reach Docker and the defaults of `container` flows. */
export type DockerPluginOptions = ContainerRuntimeSettings;

/** Checks the plugin's options; throws a `CONFIGURATION_ERROR` naming the option. */
function checkOptions(options: DockerPluginOptions): void {
  if (options.baseUrl !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(options.baseUrl);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        'docker: "baseUrl" must be an http(s) URL, for example http://host.docker.internal:3000.',
      );
  }
  if (options.pull !== undefined && !['missing', 'always', 'never'].includes(options.pull))
    throw new PreloopError('CONFIGURATION_ERROR', 'docker: "pull" must be "missing", "always" or "never".');
}

/**
 * The Docker plugin: contributes the flows runtime `container`, which runs a
 * flow's agent in a fresh container through the Docker Engine API, pointed at
 * this server's gateway and MCP endpoint with the execution's runtime
 * credential. Install it next to `flows()`.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database, secretKey,
 *   plugins: [flows({ baseUrl: 'https://preloop.example.com' }), docker({ baseUrl: 'http://host.docker.internal:3000' })],
 * });
 * ```
 */
export function docker(options: DockerPluginOptions = {}) {
  checkOptions(options);
  return definePlugin({ id: 'docker', contributions: { runtimes: [containerRuntime(options)] } });
}
