// Module hook for tests: makes the packages named in PRELOOP_HIDE_MODULES (comma-separated)
// unresolvable, as on a machine where they are not installed.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
const hidden = new Set((process.env.PRELOOP_HIDE_MODULES ?? '').split(',').filter(Boolean));
export async function resolve(specifier, context, next) {
  if (hidden.has(specifier)) {
    const error = new Error("Cannot find package '" + specifier + "'");
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`),
);
