import { describe, expect, it } from 'vitest';
import { isPreloopError } from '@preloop/core';
import type { ResponsesTool } from '../wire/openai-responses-types.js';
import { flatToolName, flattenNamespaceTools, namespacedToolNames, restoreNamespace } from './namespace-tools.js';

const crm: ResponsesTool = {
  type: 'namespace',
  name: 'crm',
  description: 'Customer records.',
  tools: [
    {
      type: 'function',
      name: 'lookup',
      description: 'Find a customer',
      parameters: { type: 'object', properties: { id: { type: 'string' } } },
      strict: true,
      defer_loading: true,
    },
    { type: 'function', name: 'list' },
  ],
};

describe('namespace tools', () => {
  it('joins names with __, or directly after a namespace ending in __', () => {
    expect(flatToolName('crm', 'lookup')).toBe('crm__lookup');
    expect(flatToolName('mcp__docs__', 'search')).toBe('mcp__docs__search');
  });

  it('flattens each function of a namespace, keeps other tools in place, and maps the names back', () => {
    const shell: ResponsesTool = { type: 'function', name: 'shell', parameters: null, strict: null };
    const { tools, names } = flattenNamespaceTools([shell, crm]);
    expect(tools).toEqual([
      shell,
      {
        type: 'function',
        name: 'crm__lookup',
        description: 'Customer records.\n\nFind a customer',
        parameters: { type: 'object', properties: { id: { type: 'string' } } },
        strict: true,
      },
      { type: 'function', name: 'crm__list', description: 'Customer records.', parameters: null, strict: null },
    ]);
    expect([...names]).toEqual([
      ['crm__lookup', { namespace: 'crm', name: 'lookup' }],
      ['crm__list', { namespace: 'crm', name: 'list' }],
    ]);
    expect(namespacedToolNames([shell, crm])).toEqual(names);
    expect(restoreNamespace('crm__lookup', names)).toEqual({ name: 'lookup', namespace: 'crm' });
    expect(restoreNamespace('shell', names)).toEqual({ name: 'shell' });
  });

  it('refuses a freeform tool inside a namespace and a flat name taken by another tool, naming them', () => {
    const freeform = () =>
      flattenNamespaceTools([{ type: 'namespace', name: 'edit', description: '', tools: [{ type: 'custom', name: 'apply_patch' }] }]);
    expect(freeform).toThrowError(/tools\[0\]\.tools\[0\]: tool type "custom" inside namespace "edit"/);
    try {
      flattenNamespaceTools([{ type: 'function', name: 'crm__list', parameters: null, strict: null }, crm]);
      expect.unreachable();
    } catch (error) {
      expect(isPreloopError(error, 'VALIDATION_ERROR')).toBe(true);
      expect((error as Error).message).toMatch(/tools\[1\]\.tools\[1\]: function "list" of namespace "crm" becomes "crm__list"/);
    }
  });
});
