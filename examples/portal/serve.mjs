#!/usr/bin/env node
/**
 * Serves the portal page and forwards `/api/v1/*` and `/assets/*` to a Preloop
 * server, so the page, the elements' bundle and the admin API share one origin
 * (the session cookie and the admin API's same-origin check then just work).
 * Plain Node, no dependencies:
 *
 *   PRELOOP_URL=http://127.0.0.1:8787 node examples/portal/serve.mjs
 *
 * then open http://127.0.0.1:8080. In a real portal, do the same with your
 * reverse proxy (nginx, Envoy, your gateway): route /api/v1 and /assets to Preloop.
 */
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';

const page = fileURLToPath(new URL('./index.html', import.meta.url));

/**
 * Starts the portal server.
 *
 * @param {{ preloopUrl: string, port?: number, host?: string }} options
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startPortal({ preloopUrl, port = 8080, host = '127.0.0.1' }) {
  const target = new URL(preloopUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/api/v1/') || path.startsWith('/assets/')) {
      // Keep the browser's Host header: the admin API compares it with Origin for cookie-authenticated writes.
      const upstream = send(
        { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
        (response) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`Preloop is not reachable at ${preloopUrl}: ${error.message}`);
      });
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    if (path === '/' || path.startsWith('/?') || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(await readFile(page));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found');
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const portal = await startPortal({
    preloopUrl: process.env.PRELOOP_URL ?? 'http://127.0.0.1:8787',
    port: Number(process.env.PORT ?? 8080),
  });
  console.log(`Portal at ${portal.url} (Preloop: ${process.env.PRELOOP_URL ?? 'http://127.0.0.1:8787'})`);
}
