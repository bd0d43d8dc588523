/**
 * The typed registry of plugin services: what each plugin's `init` returns,
 * kept by the kernel under the plugin's id and read with `preloop.service(id)`.
 *
 * @module
 */

import { PreloopError } from '../errors.js';
import type { PreloopPlugin } from './define-plugin.js';

/**
 * The services of Preloop's plugins, by plugin id, for code that receives a
 * plain `Preloop`. A package that ships a plugin adds its service here by
 * declaration merging, so `preloop.service('approvals')` is typed wherever the
 * package's types are loaded:
 *
 * ```ts
 * declare module '@preloop/core' {
 *   interface PreloopServices {
 *     approvals: ApprovalEngine;
 *   }
 * }
 * ```
 *
 * Plugins that do not declare theirs are still typed on the kernel
 * `createPreloop` returns, from the plugins it was given (see {@link ServicesOf}).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PreloopServices {}

/** The service a plugin's `init` returns (resolved), or `undefined` when it returns none. */
export type ServiceOf<Plugin> = Plugin extends { init?: infer Init }
  ? NonNullable<Init> extends (...args: never[]) => infer Result
    ? Awaited<Result>
    : undefined
  : undefined;

/**
 * The services of a list of plugins, by plugin id: the type `createPreloop`
 * infers from its `plugins` option. Plugins whose `init` returns nothing have no entry.
 *
 * @example
 * ```ts
 * type Services = ServicesOf<[ReturnType<typeof approvals>]>; // { approvals: ApprovalEngine }
 * ```
 */
export type ServicesOf<Plugins extends readonly PreloopPlugin[]> = {
  [Plugin in Plugins[number] as ServiceOf<Plugin> extends undefined | void ? never : Plugin['id']]: ServiceOf<Plugin>;
};

/** The services `preloop.service` serves: those declared in {@link PreloopServices} and those inferred from the kernel's plugins. */
export type KernelServices<Inferred extends object> = PreloopServices & Inferred;

/** The kernel's registry of plugin services. */
export interface ServiceRegistry {
  /** Keeps the service of plugin `id` (`undefined` keeps nothing). */
  register(id: string, service: unknown): void;
  /** The service of plugin `id`; `SERVICE_NOT_REGISTERED` (500) naming the id when there is none. */
  get(id: string): unknown;
  /** Forgets every service (the kernel is closed). */
  clear(): void;
}

/**
 * Creates the registry the kernel fills with each plugin's `init` result.
 *
 * @example
 * ```ts
 * const services = createServiceRegistry();
 * services.register('approvals', engine);
 * services.get('approvals'); // engine
 * ```
 */
export function createServiceRegistry(): ServiceRegistry {
  const services = new Map<string, unknown>();
  return {
    register(id, service) {
      if (service !== undefined) services.set(id, service);
    },
    get(id) {
      if (!services.has(id)) {
        throw new PreloopError(
          'SERVICE_NOT_REGISTERED',
          `preloop.service('${id}'): no plugin "${id}" with a service runs in this kernel; add it to createPreloop({ plugins: [...] }) (and wait for createPreloop to resolve).`,
          { status: 500, details: { plugin: id } },
        );
      }
      return services.get(id);
    },
    clear() {
      services.clear();
    },
  };
}
