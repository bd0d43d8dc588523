/**
 * `@preloop/plugin-docker`: the flows runtime `container`, which runs a flow's
 * agent in a container through the Docker Engine API (dockerode).
 *
 * @packageDocumentation
 */
export { docker } from './docker-plugin.js';
export type { DockerPluginOptions } from './docker-plugin.js';
export { containerRuntime } from './container-runtime.js';
export type { ContainerRuntimeSettings } from './container-runtime.js';
export { containerOptionsSchema, findContainerOptionProblems, pullPolicies } from './container-options.js';
export type { ContainerRuntimeOptions } from './container-options.js';
