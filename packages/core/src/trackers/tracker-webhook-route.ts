/**
 * Webhook intake for tracker connections: `POST /api/v1/trackers/webhooks/:connectionId`.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineRoute, type AdminRoute } from '../api/define-route.js';
import type { TrackerWebhookDelivery } from '../contracts/tracker.js';
import { PreloopError } from '../errors.js';
import type { Preloop } from '../kernel/preloop.js';
import type { TrackerConnection } from './tracker-connections.js';
import type { TrackerTables } from './tracker-tables.js';

/** The largest delivery accepted (GitHub caps payloads at 25 MB; issue events are a few kB). */
export const maxWebhookBytes = 5 * 1024 * 1024;

/** How long a delivery id is remembered to recognize a replay. */
export const webhookDeliveryRetentionMs = 7 * 24 * 3_600_000;

/** What the intake answers a tracker (2xx: the delivery is taken care of). */
export const webhookAnswerSchema = z.strictObject({
  /** `accepted`: new, its events were published; `duplicate`: seen before, nothing changed. */
  status: z.enum(['accepted', 'duplicate']),
  /** The number of events published. */
  events: z.number().int(),
});

async function readBytes(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  const tooLarge = () => new PreloopError('PAYLOAD_TOO_LARGE', `A webhook delivery may be at most ${maxWebhookBytes} bytes.`);
  if (Number.isFinite(declared) && declared > maxWebhookBytes) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxWebhookBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const lastPruned = new WeakMap<Preloop, number>();

/** Forgets delivery ids older than the retention, at most once an hour per kernel. */
async function prune(preloop: Preloop, now: number): Promise<void> {
  if (now - (lastPruned.get(preloop) ?? 0) < 3_600_000) return;
  lastPruned.set(preloop, now);
  await preloop.db
    .withTables<TrackerTables>()
    .deleteFrom('tracker_webhook_deliveries')
    .where('received_at', '<', now - webhookDeliveryRetentionMs)
    .execute()
    .catch((error: unknown) => preloop.logger.warn('trackers: pruning old webhook deliveries failed', { error }));
}

function audit(preloop: Preloop, connection: TrackerConnection, outcome: string, data: Record<string, unknown>) {
  return preloop.audit.record({
    accountId: connection.accountId,
    actor: { type: 'system', name: `tracker:${connection.tracker}` },
    action: 'tracker.webhook',
    target: { type: 'tracker_connection', id: connection.id },
    outcome,
    data: { connection: connection.name, ...data },
  });
}

/**
 * The webhook intake route (public: the tracker's signature is its
 * credential). In this order: the exact bytes are read (at most
 * {@link maxWebhookBytes}); the tracker's `webhooks.verify` checks them with
 * the connection's webhook secret before anything parses them (a forged or
 * unsigned delivery gets 401, changes nothing, and is audited
 * `tracker.webhook` / `refused` with the reason and the body's SHA-256, never
 * the body); the delivery is parsed (400 when it cannot be); its delivery id is
 * inserted into `tracker_webhook_deliveries` (unique per connection, shared by
 * every instance), so a replay answers `duplicate`, publishes nothing and is
 * audited as such; then each event is published once as the kernel event
 * `tracker-event` on the instance that took the delivery, and the delivery is
 * audited `accepted`. The answer comes as soon as that is done (no tracker
 * call is made).
 *
 * @example
 * ```ts
 * createAdminApi(preloop, [...coreRoutes, trackerWebhookRoute]);
 * ```
 */
export const trackerWebhookRoute: AdminRoute = defineRoute({
  method: 'POST',
  path: '/trackers/webhooks/:connectionId',
  summary: 'Receive a tracker webhook delivery (signed by the tracker)',
  tag: 'trackers',
  access: 'public',
  rawBody: true,
  status: 202,
  response: webhookAnswerSchema,
  responses: { 200: webhookAnswerSchema },
  errors: [401, 404, 413],
  async handler({ request, params, preloop }) {
    const connection = await preloop.trackers.find(params.connectionId ?? '');
    if (!connection) throw new PreloopError('NOT_FOUND', 'No tracker connection with this id.');
    const tracker = preloop.trackers.tracker(connection.tracker);
    const delivery: TrackerWebhookDelivery = { headers: request.headers, rawBody: await readBytes(request) };
    const bodySha256 = createHash('sha256').update(delivery.rawBody).digest('hex');
    const claimedId = (tracker.webhooks.deliveryId(delivery) ?? '').slice(0, 200) || null;

    let verified = false;
    try {
      verified = (await tracker.webhooks.verify(delivery, await preloop.trackers.webhookSecret(connection))) === true;
    } catch (error) {
      preloop.logger.warn('trackers: webhook verification threw; the delivery is refused', { error, connection: connection.id });
    }
    if (!verified) {
      await audit(preloop, connection, 'refused', {
        reason: delivery.rawBody.byteLength === 0 ? 'empty body' : 'the signature is missing or does not match the webhook secret',
        deliveryId: claimedId,
        bodySha256,
        bytes: delivery.rawBody.byteLength,
      });
      throw new PreloopError('UNAUTHENTICATED', 'The delivery is not signed with this connection’s webhook secret.');
    }

    let events;
    try {
      events = tracker.webhooks.parse(delivery);
    } catch (error) {
      await audit(preloop, connection, 'failure', { reason: 'the delivery could not be parsed', deliveryId: claimedId, bodySha256 });
      throw new PreloopError('VALIDATION_ERROR', `The delivery could not be read: ${(error as Error).message}`.slice(0, 300), {
        cause: error,
      });
    }

    const deliveryId = claimedId ?? `sha256:${bodySha256}`;
    const receivedAt = Date.now();
    const inserted = await preloop.db
      .withTables<TrackerTables>()
      .insertInto('tracker_webhook_deliveries')
      .values({ connection_id: connection.id, delivery_id: deliveryId, account_id: connection.accountId, received_at: receivedAt })
      .onConflict((conflict) => conflict.columns(['connection_id', 'delivery_id']).doNothing())
      .executeTakeFirst();
    void prune(preloop, receivedAt);
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) {
      await audit(preloop, connection, 'duplicate', { deliveryId, bodySha256 });
      return new Response(JSON.stringify({ status: 'duplicate', events: 0 }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    for (const event of events)
      preloop.events.emit('tracker-event', {
        ...event,
        accountId: connection.accountId,
        connectionId: connection.id,
        tracker: tracker.id,
        deliveryId,
        receivedAt,
      });
    await audit(preloop, connection, 'accepted', { deliveryId, events: events.map((event) => event.type) });
    return { status: 'accepted' as const, events: events.length };
  },
});
