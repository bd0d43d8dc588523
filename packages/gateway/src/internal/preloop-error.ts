/**
 * The one place the gateway imports `PreloopError` from. It points at the core
 * source file until `@preloop/core`'s index exports the error; then this file
 * becomes `export { PreloopError } from '@preloop/core';`.
 *
 * @module
 */

export { PreloopError } from '../../../core/src/errors.js';
