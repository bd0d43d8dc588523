import type { TrackerEvent } from '../contracts/tracker.js';
import type { PreloopOptions } from '../kernel/options.js';
import { type RunningServer, serve } from '../node/serve.js';
import type { CreateTrackerConnectionInput } from '../trackers/tracker-connections.js';
import { createTestPreloop, type TestPreloop } from './create-test-preloop.js';
import type { TestDialect } from './test-databases.js';

/** Options of {@link startTrackerTestKernel}. */
export interface TrackerTestKernelOptions {
  /** The database the kernel runs on (one of `testDialects()`). */
  dialect: TestDialect;
  /** The kernel's plugins; one of them contributes the tracker. */
  plugins: NonNullable<PreloopOptions['plugins']>;
  /** The connection made in the kernel's account (tracker id, name, settings pointing at the local server, secrets). */
  connection: CreateTrackerConnectionInput;
}

/** A kernel with one tracker connection, its admin API on a real loopback port. */
export interface TrackerTestKernel {
  kernel: TestPreloop;
  server: RunningServer;
  connectionId: string;
  /** The connection's webhook intake URL on `server` (`/api/v1/trackers/webhooks/<id>`). */
  webhookUrl: string;
  /** The connection's webhook secret (answered once, at creation). */
  webhookSecret: string;
  /** Every `tracker-event` the kernel emitted, in order. */
  events: TrackerEvent[];
  /** Closes the server, then the kernel (dropping its database). */
  close(): Promise<void>;
}

/**
 * Starts a kernel with a tracker plugin, serves its API on a loopback port,
 * creates one tracker connection and records the `tracker-event`s it emits:
 * the setup of a tracker plugin's "through the kernel" test. Point the local
 * tracker's webhooks at `webhookUrl`, signed with `webhookSecret`.
 *
 * @example
 * ```ts
 * const fixture = await startTrackerTestKernel({
 *   dialect,
 *   plugins: [gitlab()],
 *   connection: { tracker: 'gitlab', name: 'acme', settings: { baseUrl: stub.url }, secrets: { token } },
 * });
 * stub.setWebhook({ url: fixture.webhookUrl, secret: fixture.webhookSecret });
 * ```
 */
export async function startTrackerTestKernel(options: TrackerTestKernelOptions): Promise<TrackerTestKernel> {
  const kernel = await createTestPreloop(options.dialect, { plugins: options.plugins });
  const events: TrackerEvent[] = [];
  kernel.preloop.events.on('tracker-event', (event) => void events.push(event));
  let server: RunningServer | undefined;
  try {
    server = await serve({ port: 0, handler: (request) => kernel.preloop.api(request) });
    const connection = await kernel.preloop.trackers.create(kernel.preloop.accountId, options.connection);
    const running = server;
    return {
      kernel,
      server,
      connectionId: connection.id,
      webhookUrl: `${server.url}/api/v1/trackers/webhooks/${connection.id}`,
      webhookSecret: connection.webhookSecret,
      events,
      async close() {
        await running.close();
        await kernel.cleanup();
      },
    };
  } catch (error) {
    await server?.close();
    await kernel.cleanup();
    throw error;
  }
}
