/**
 * `@preloop/console-elements/define`: importing it registers every Preloop
 * element under its default `preloop-*` tag.
 *
 * @example
 * ```ts
 * import '@preloop/console-elements/define';
 * ```
 *
 * @packageDocumentation
 */
import { defineElements } from './define/define-elements.js';

defineElements();
