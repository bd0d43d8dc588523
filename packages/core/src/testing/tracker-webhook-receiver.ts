import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TrackerWebhookDelivery } from '../contracts/tracker.js';

/** A loopback HTTP receiver that keeps every webhook delivery it gets, as the tracker's `verify`/`parse` see them. */
export interface TrackerWebhookReceiver {
  /** Where to send deliveries (`http://127.0.0.1:<port>/hooks`). */
  url: string;
  /** The deliveries received, oldest first (headers and raw body, byte for byte). */
  received: TrackerWebhookDelivery[];
  close(): Promise<void>;
}

/**
 * Starts a loopback receiver for a local tracker's webhooks: each POST is kept
 * as a {@link TrackerWebhookDelivery} (its string headers and raw body) and
 * answered 200, so a test can verify and parse what the tracker really sent.
 *
 * @example
 * ```ts
 * const receiver = await startTrackerWebhookReceiver();
 * const stub = await startGitLabStub({ webhook: { url: receiver.url, secret } });
 * // … make a change through the API, then:
 * const events = receiver.received.flatMap((delivery) => gitlabWebhooks.parse(delivery));
 * ```
 */
export async function startTrackerWebhookReceiver(): Promise<TrackerWebhookReceiver> {
  const received: TrackerWebhookDelivery[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value);
    received.push({ headers, rawBody: new Uint8Array(Buffer.concat(chunks)) });
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
