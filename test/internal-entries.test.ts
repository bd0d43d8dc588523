/**
 * The `./internal` entries hold what only Preloop's own packages use, so the
 * public roots stay the public API: each moved helper is served by the
 * internal entry and no longer by the root.
 */
import * as approvalsRoot from '@preloop/approvals';
import * as approvalsInternal from '@preloop/approvals/internal';
import * as core from '@preloop/core';
import * as flowsRoot from '@preloop/flows';
import * as flowsInternal from '@preloop/flows/internal';
import * as coreInternal from '@preloop/core/internal';
import * as gatewayRoot from '@preloop/gateway';
import * as gatewayInternal from '@preloop/gateway/internal';
import * as mcpRoot from '@preloop/mcp';
import * as mcpInternal from '@preloop/mcp/internal';
import { describe, expect, it } from 'vitest';

const moved = {
  '@preloop/core': {
    root: core,
    internal: coreInternal,
    names: [
      'userSchema',
      'createToken',
      'createAccountCache',
      'toStoreUnavailableError',
      'redactString',
      'sha256Hex',
      'compileGlob',
      'governanceBusChannel',
      'workflowFactors',
      'isFormPost',
    ],
  },
  '@preloop/gateway': {
    root: gatewayRoot,
    internal: gatewayInternal,
    names: [
      'budgetSchema',
      'toAnthropicRequest',
      'toOpenAIChatRequest',
      'createAnthropicToOpenAIStreamTranslator',
      'fromAnthropicUsage',
      'parseServerSentEvents',
      'encodeOpenAIChatChunk',
      'gatewayBusChannel',
    ],
  },
  '@preloop/mcp': { root: mcpRoot, internal: mcpInternal, names: ['mcpBusChannel', 'catalogEntrySchema'] },
  '@preloop/approvals': {
    root: approvalsRoot,
    internal: approvalsInternal,
    names: ['approvalDetailSchema', 'readinessUserSchema', 'notificationPreferencesSchema'],
  },
  '@preloop/flows': {
    root: flowsRoot,
    internal: flowsInternal,
    names: ['executionViewSchema', 'createFlowBodySchema', 'commandOptionsSchema'],
  },
} as const;

describe('./internal entries', () => {
  it.each(Object.entries(moved))('%s serves its shared helpers from ./internal, not from its root', (_name, { root, internal, names }) => {
    for (const name of names) {
      expect(Object.keys(internal), name).toContain(name);
      expect(Object.keys(root), name).not.toContain(name);
    }
  });

  it('keeps the public API on the roots', () => {
    expect(typeof core.createPreloop).toBe('function');
    expect(typeof gatewayRoot.computeCost).toBe('function');
    expect(typeof gatewayRoot.defaultPriceTable).toBe('object');
    expect(typeof mcpRoot.createMcpHandler).toBe('function');
  });
});
