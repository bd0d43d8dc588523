import { request as httpRequest } from 'node:http';
import type { Plugin } from 'vite';

/** The environment variable through which the global setup tells the proxy where the test kernel listens. */
export const testApiUrlVariable = 'PRELOOP_CONSOLE_TEST_API_URL';

/**
 * A Vite plugin for the browser tests: forwards `/api/v1/*` (and the console served at `/console/`, the approval app at `/approve/`) from the test page's
 * origin to the kernel the global setup started on a real port, streaming both
 * ways (server-sent events included). Same origin, so the `preloop_session`
 * cookie and the admin API's same-origin check work as they do in production.
 */
export function preloopApiProxy(prefixes: string[] = ['/api/v1/', '/console', '/approve/']): Plugin {
  return {
    name: 'preloop-test-api-proxy',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const target = process.env[testApiUrlVariable];
        if (!target || !prefixes.some((prefix) => req.url?.startsWith(prefix))) return next();
        const url = new URL(target);
        const upstream = httpRequest(
          { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers },
          (response) => {
            res.writeHead(response.statusCode ?? 502, response.headers);
            response.pipe(res);
          },
        );
        upstream.on('error', (error) => {
          res.statusCode = 502;
          res.end(String(error));
        });
        res.on('close', () => upstream.destroy());
        req.pipe(upstream);
      });
    },
  };
}
