import { z } from 'zod';
import type { EngineContext } from './engine-context.js';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:MM (00:00 to 23:59)');

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** What an approver may set: channels muted, quiet hours, and whether flood control may batch their notices. */
export const notificationPreferencesSchema = z.strictObject({
  /** Notifier ids this approver gets nothing from (for example `["email"]`). */
  mutedNotifiers: z.array(z.string().min(1).max(100)).max(50),
  /** Hours without notifications, in the approver's time zone; notices wait until the end. Null for none. */
  quietHours: z
    .strictObject({
      start: clockTime,
      end: clockTime,
      timeZone: z.string().min(1).max(100).refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris'),
    })
    .refine((hours) => hours.start !== hours.end, 'start and end must differ')
    .nullable(),
  /** False: every notice on its own, even when an agent floods (no digest). */
  digest: z.boolean(),
});

/** An approver's notification preferences. */
export type NotificationPreferences = z.output<typeof notificationPreferencesSchema>;

/** What a user without stored preferences gets: every channel, no quiet hours, digests on. */
export const defaultNotificationPreferences: NotificationPreferences = { mutedNotifiers: [], quietHours: null, digest: true };

/**
 * The preferences of one user (the defaults when none are stored).
 *
 * @example
 * ```ts
 * const preferences = await readNotificationPreferences(context, accountId, userId);
 * ```
 */
export async function readNotificationPreferences(
  context: Pick<EngineContext, 'db'>,
  accountId: string,
  userId: string,
): Promise<NotificationPreferences> {
  const row = await context.db
    .selectFrom('approval_notification_preferences')
    .select('preferences')
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row
    ? { ...defaultNotificationPreferences, ...(JSON.parse(row.preferences) as Partial<NotificationPreferences>) }
    : defaultNotificationPreferences;
}

/**
 * Stores the preferences of one user (replacing earlier ones).
 *
 * @example
 * ```ts
 * await writeNotificationPreferences(context, accountId, userId, { mutedNotifiers: ['email'], quietHours: null, digest: true });
 * ```
 */
export async function writeNotificationPreferences(
  context: Pick<EngineContext, 'db' | 'now'>,
  accountId: string,
  userId: string,
  preferences: NotificationPreferences,
): Promise<NotificationPreferences> {
  const now = context.now();
  const value = JSON.stringify(preferences);
  await context.db
    .insertInto('approval_notification_preferences')
    .values({ account_id: accountId, user_id: userId, preferences: value, updated_at: now })
    .onConflict((conflict) => conflict.columns(['account_id', 'user_id']).doUpdateSet({ preferences: value, updated_at: now }))
    .execute();
  return preferences;
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/**
 * When quiet hours in force at `now` end (epoch ms), or null when `now` is
 * outside them. Hours that wrap midnight (22:00 to 07:00) are handled.
 *
 * @example
 * ```ts
 * quietHoursEnd({ start: '22:00', end: '07:00', timeZone: 'Europe/Paris' }, Date.now());
 * ```
 */
export function quietHoursEnd(hours: NotificationPreferences['quietHours'], now: number): number | null {
  if (!hours) return null;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: hours.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const local =
    Number(parts.find((part) => part.type === 'hour')!.value) * 60 + Number(parts.find((part) => part.type === 'minute')!.value);
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return null;
  const minutesLeft = (end - local + 1440) % 1440;
  return now - (now % 60_000) + minutesLeft * 60_000;
}
