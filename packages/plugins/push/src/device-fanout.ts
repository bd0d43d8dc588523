import { classifyNotifierFailure, NotifierError, type ApprovalNotification } from '@preloop/core';
import type { PushDevice, PushKind } from './device-store.js';

/**
 * A push service said the device's subscription or token is gone for good
 * (Web Push 404/410, APNs 410 `Unregistered` / 400 `BadDeviceToken`, FCM
 * `UNREGISTERED`): the device is removed and never pushed to again.
 */
export class DeviceGoneError extends Error {
  /** The push service's answer, for the audit (`410 Unregistered`). */
  readonly answer: string;

  constructor(message: string, answer: string) {
    super(message);
    this.name = 'DeviceGoneError';
    this.answer = answer;
  }
}

/** What a transport needs to reach a user's devices. */
export interface PushDeviceDirectory {
  /** The user's active devices reached by `kind`. */
  activeFor(accountId: string, userId: string, kind: PushKind): Promise<PushDevice[]>;
  /** Devices that already received this notification (on an earlier attempt). */
  sentTo(notificationId: string): Promise<Set<string>>;
  /** Records a device as reached for this notification. */
  recordSend(notificationId: string, deviceId: string): Promise<void>;
  /** Removes a device the push service declared gone (audited). */
  removeGone(device: PushDevice, transport: PushKind, answer: string): Promise<void>;
}

/**
 * Sends one notification to each of the recipient's devices of one
 * transport, skipping devices an earlier attempt reached (so a retry never
 * pushes twice to the same device). A device the push service declares gone
 * is removed. It resolves at once when the user has no device of this
 * transport (nothing to deliver: most approvers pair no phone, and that is
 * not a failure); rejects with a retryable error when any device failed
 * transiently (the engine retries; the reached ones are skipped then), with a
 * permanent `NotifierError` when none of the user's devices could be reached
 * (every one gone or refused for good), and resolves otherwise.
 *
 * @example
 * ```ts
 * await fanOut(directory, notification, 'apns', (device) => sendToApns(device));
 * ```
 */
export async function fanOut(
  directory: PushDeviceDirectory,
  notification: ApprovalNotification,
  kind: PushKind,
  send: (device: PushDevice) => Promise<void>,
): Promise<void> {
  const recipient = notification.recipient;
  if (!recipient) throw new NotifierError(`${kind}: a push needs a recipient (audience approvers)`, { retryable: false });
  const devices = await directory.activeFor(notification.request.accountId, recipient.userId, kind);
  if (devices.length === 0) return;
  const already = await directory.sentTo(notification.id);
  let reached = 0;
  let gone = 0;
  let retry: { error: unknown; retryAfterMs: number | null } | null = null;
  for (const device of devices) {
    if (already.has(device.id)) {
      reached += 1;
      continue;
    }
    try {
      await send(device);
      await directory.recordSend(notification.id, device.id);
      reached += 1;
    } catch (error) {
      if (error instanceof DeviceGoneError) {
        await directory.removeGone(device, kind, error.answer);
        gone += 1;
        continue;
      }
      const { retryable, retryAfterMs } = classifyNotifierFailure(error);
      if (!retryable) continue;
      if (!retry || (retryAfterMs ?? 0) > (retry.retryAfterMs ?? 0)) retry = { error, retryAfterMs };
    }
  }
  if (retry) {
    const message = retry.error instanceof Error ? retry.error.message : String(retry.error);
    throw new NotifierError(message, { retryable: true, retryAfterMs: retry.retryAfterMs, cause: retry.error });
  }
  if (reached === 0) {
    const why = gone === devices.length ? 'has no device left (push service: gone)' : 'could not be reached';
    throw new NotifierError(`${kind}: approver ${recipient.userId} ${why}`, { retryable: false });
  }
}
