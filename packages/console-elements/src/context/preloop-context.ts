import { createContext } from '@lit/context';
import type { PreloopClient } from '../client/preloop-client.js';

/**
 * The `@lit/context` key through which a {@link PreloopClient} reaches every
 * element below a provider (`<preloop-provider>`, `<preloop-console>`, or a
 * host's own `ContextProvider`). The key is a global symbol, so two copies of
 * the library on one page still share it.
 *
 * @example
 * ```ts
 * import { ContextProvider } from '@lit/context';
 * new ContextProvider(document.body, { context: preloopClientContext, initialValue: new PreloopClient() });
 * ```
 */
export const preloopClientContext = createContext<PreloopClient | undefined>(Symbol.for('preloop-client'));
