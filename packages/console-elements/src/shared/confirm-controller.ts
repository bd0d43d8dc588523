import type { ReactiveControllerHost } from 'lit';

/**
 * A destructive action that takes two clicks: the first on an item asks
 * (the item's button then reads "Confirm …"), the second on the same item
 * confirms. The element re-renders whenever the asking item changes.
 *
 * @example
 * ```ts
 * private readonly confirm = new ConfirmController(this);
 * private async remove(flow: Flow) {
 *   if (!this.confirm.confirmed(flow.id)) return;
 *   await api.route('DELETE /flows/:id', { params: { id: flow.id } });
 * }
 * // render: this.confirm.asking(flow.id) ? 'Confirm delete' : 'Delete'
 * ```
 */
export class ConfirmController {
  private pending: string | null = null;

  /** @param host The element (updated when the asking item changes). */
  constructor(private readonly host: ReactiveControllerHost) {}

  /**
   * A click on the item `id`: true when it is the second (the action goes
   * ahead, and nothing is asking any more), false when it is the first (the
   * item is now asking).
   */
  confirmed(id: string): boolean {
    const confirmed = this.pending === id;
    this.pending = confirmed ? null : id;
    this.host.requestUpdate();
    return confirmed;
  }

  /** Whether the item `id` waits for its confirming click. */
  asking(id: string): boolean {
    return this.pending === id;
  }
}
