import { describe, expect, it } from 'vitest';
import { PreloopApprovalCard } from '../components/preloop-approval-card/preloop-approval-card.js';
import { PreloopApprovalQueue } from '../components/preloop-approval-queue/preloop-approval-queue.js';
import { mount, ownerClient, query, unmountAll, waitFor } from '../../test/browser-helpers.js';
import { defineElements, preloopElements } from './define-elements.js';
import { elementTag } from './element-tag.js';

describe('defineElements', () => {
  it('registers every element under its default tag (idempotently)', () => {
    const defined = defineElements();
    for (const [name, element] of Object.entries(preloopElements)) {
      expect(customElements.get(name)).toBe(element);
      expect(defined[name]).toBe(name);
    }
  });

  it('lets a host choose tag names, and containers render children under the host’s names', async () => {
    class AcmeQueue extends PreloopApprovalQueue {}
    class AcmeCard extends PreloopApprovalCard {}
    customElements.define('acme-approval-card', AcmeCard);
    customElements.define('acme-approval-queue', AcmeQueue);
    expect(elementTag(AcmeCard, 'preloop-approval-card')).toBe('acme-approval-card');
    const queue = document.createElement('acme-approval-queue') as AcmeQueue;
    queue.client = ownerClient();
    document.body.append(queue);
    await waitFor(() => query(queue, '.list, .empty'));
    queue.remove();
    unmountAll();
  });

  it('registers an unregistered child under a free name when its default is taken', () => {
    customElements.define('taken-approval-card', class extends HTMLElement {});
    class Fresh extends PreloopApprovalCard {}
    expect(elementTag(Fresh, 'taken-approval-card')).toBe('taken-approval-card-2');
    expect(customElements.get('taken-approval-card-2')).toBe(Fresh);
  });
});

describe('element tags and mounting', () => {
  it('mounts any element alone given a client', async () => {
    const card = await mount('preloop-approval-card');
    expect(card.shadowRoot).not.toBeNull();
    card.remove();
  });
});
