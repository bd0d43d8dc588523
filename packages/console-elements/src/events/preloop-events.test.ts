import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PreloopDashboard } from '../components/preloop-dashboard/preloop-dashboard.js';
import type { PreloopElementTagNameMap } from '../define/define-elements.js';
import * as events from './preloop-events.js';

/** Every event name, once; the compiler checks it is exactly the map's keys. */
const names = [
  'preloop-user-logged-in',
  'preloop-user-logged-out',
  'preloop-route-requested',
  'preloop-decision-requested',
  'preloop-approval-decided',
  'preloop-agent-changed',
  'preloop-session-ended',
  'preloop-api-key-created',
  'preloop-policy-applied',
  'preloop-audit-verified',
  'preloop-request-failed',
] as const;

describe('the element events', () => {
  it('are declared once: the DOM maps are derived from the event classes', () => {
    expectTypeOf<(typeof names)[number]>().toEqualTypeOf<keyof events.PreloopElementEventMap>();
    expectTypeOf<HTMLElementEventMap['preloop-approval-decided']>().toEqualTypeOf<events.PreloopApprovalDecidedEvent>();
    expectTypeOf<DocumentEventMap['preloop-request-failed']>().toEqualTypeOf<events.PreloopRequestFailedEvent>();
    expectTypeOf<PreloopElementTagNameMap['preloop-dashboard']>().toEqualTypeOf<PreloopDashboard>();
    // Every exported event class is in the map (a class added without it fails here).
    const declared = Object.values(events as Record<string, unknown>).flatMap((value) =>
      typeof value === 'function' && 'eventName' in value ? [String(value.eventName)] : [],
    );
    expect(declared.sort()).toEqual([...names].sort());
  });

  it('bubble and cross shadow roots', () => {
    const event = new events.PreloopRequestFailedEvent(new Error('boom'), 'load agents');
    expect(event).toMatchObject({ type: 'preloop-request-failed', bubbles: true, composed: true, action: 'load agents' });
  });
});
