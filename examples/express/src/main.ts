import { createPreloop } from '@preloop/core';
import { resolveLocalSetup } from '@preloop/core/node';
import { mcp as mcpPlugin } from '@preloop/mcp';
import { createApp } from './create-app.js';

const setup = resolveLocalSetup();
const preloop = await createPreloop({ database: setup.databaseUrl, secretKey: setup.secretKey, plugins: [mcpPlugin()] });
const { app, mcp } = createApp(preloop);
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`Express app on http://127.0.0.1:${port} · admin API /api/v1 · MCP /mcp`);
});
process.once('SIGINT', () => {
  server.close();
  void mcp.close().then(() => preloop.close());
});
