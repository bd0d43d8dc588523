/**
 * `@preloop/plugin-push/api`: the types of the push plugin's admin API and
 * push payloads, derived from the zod schemas its routes validate and answer
 * with. Types only, no run-time code: the approval app imports them with
 * `import type`.
 *
 * @example
 * ```ts
 * import type { DeviceView, PushPayload, RegisterDeviceInput } from '@preloop/plugin-push/api';
 * ```
 *
 * @module
 */
import type { z } from 'zod';
import type {
  deviceAnswerSchema,
  deviceListSchema,
  listDevicesQuerySchema,
  pairingSchema,
  pushConfigSchema,
  registerDeviceBodySchema,
  updateDeviceBodySchema,
} from './device-schemas.js';

export type { DeviceView } from './device-schemas.js';
export type { PushPayload, PushPriority } from './push-payload.js';

/** `POST /devices/pairings` → 201 */
export type DevicePairing = z.output<typeof pairingSchema>;
/** `POST /devices` body */
export type RegisterDeviceInput = z.input<typeof registerDeviceBodySchema>;
/** `PATCH /devices/:id` body (device-authenticated) */
export type UpdateDeviceInput = z.input<typeof updateDeviceBodySchema>;
/** `GET /devices` query */
export type DeviceListParams = z.input<typeof listDevicesQuerySchema>;
/** `POST /devices` → 201 and `PATCH /devices/:id` → 200 */
export type DeviceAnswer = z.output<typeof deviceAnswerSchema>;
/** `GET /devices` → 200 */
export type DeviceList = z.output<typeof deviceListSchema>;
/** `GET /push/config` → 200 */
export type PushConfig = z.output<typeof pushConfigSchema>;

/**
 * Every route of the push plugin, keyed `METHOD /path` (below `/api/v1`):
 * its body, query and success response. Error statuses answer core's
 * `ApiError` (`@preloop/core/api`).
 */
export interface PushRoutes {
  'POST /devices/pairings': { response: DevicePairing };
  'POST /devices': { body: RegisterDeviceInput; response: DeviceAnswer };
  'GET /devices': { query: DeviceListParams; response: DeviceList };
  'PATCH /devices/:id': { body: UpdateDeviceInput; response: DeviceAnswer };
  'DELETE /devices/:id': { response: null };
  'GET /push/config': { response: PushConfig };
}
