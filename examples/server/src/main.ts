import { resolveLocalSetup } from '@preloop/core/node';
import { startReferenceServer, startupLines } from './reference-server.js';

try {
  const server = await startReferenceServer();
  for (const line of startupLines(server, resolveLocalSetup().databaseUrl)) console.log(line);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received; shutting down`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  console.error(`Preloop failed to start: ${(error as Error).message}`);
  if ((error as { code?: string }).code !== 'CONFIGURATION_ERROR') console.error((error as Error).stack);
  process.exit(1);
}
