/**
 * The browser bundle served by `createConsoleHandler()` and built to
 * `dist/browser/preloop-elements.js`: every export of the package, with every
 * element registered under its default tag. A portal can load it with one
 * `<script type="module">` and import `PreloopClient` from it.
 *
 * @packageDocumentation
 */
export * from './index.js';
import './define.js';
