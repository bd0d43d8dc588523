import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { toNodeHandler, type WebHandler } from '@preloop/core/node';

/** Options of {@link preloopFastify}. */
export interface PreloopFastifyOptions {
  /** The web-standard handler to mount: `preloop.api`, an MCP handler, the gateway. */
  handler: WebHandler;
  /** The paths it serves, as Fastify route URLs (for example `['/api/v1', '/api/v1/*']`). */
  paths: string[];
  /** Trust `X-Forwarded-Proto`/`X-Forwarded-Host` (behind a proxy). @default false */
  trustProxy?: boolean;
}

/**
 * A Fastify plugin that mounts a Preloop handler on `paths`. It registers in an
 * encapsulated scope with no body parsers, so Fastify leaves the request body
 * to Preloop (the rest of the app keeps its parsers), and hands the raw
 * request and response to the handler.
 *
 * @example
 * ```ts
 * await app.register(preloopFastify, { handler: preloop.api, paths: ['/api/v1/*'] });
 * ```
 */
export const preloopFastify: FastifyPluginAsync<PreloopFastifyOptions> = async (app: FastifyInstance, options) => {
  const listener = toNodeHandler(options.handler, { trustProxy: options.trustProxy ?? false });
  // Any content type is accepted and left unread: Preloop reads (and limits) its own bodies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  for (const url of options.paths) {
    app.all(url, (request, reply) => {
      reply.hijack();
      listener(request.raw, reply.raw);
    });
  }
};
