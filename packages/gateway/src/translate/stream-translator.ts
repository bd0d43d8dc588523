/**
 * The shape shared by the streaming translators.
 *
 * @module
 */

import type { Usage } from '../usage/usage.js';

/**
 * A stateful streaming translator: feed it every upstream event in order and
 * send what it returns downstream; call `end()` once the upstream finished
 * cleanly. It throws a `PreloopError` (`UPSTREAM_ERROR`) when the upstream
 * stream reports an error.
 */
export interface StreamTranslator<Input, Output> {
  /** Translates one upstream event into zero or more downstream events. */
  push(event: Input): Output[];
  /** Flushes the closing downstream events after the upstream ended. */
  end(): Output[];
  /** The usage reported by the upstream so far; kept when the stream breaks off. */
  readonly usage: Usage;
}
