import { z } from 'zod';
import { PreloopError } from '../../errors.js';
import { killSwitchScopes } from '../../governance/kill-switch.js';
import type { Principal } from '../../identity/principal.js';
import { compilePolicy, parsePolicyDocument, policyJsonSchema, simulatePolicy } from '../../policy/index.js';
import { policyDocumentSchema } from '../../policy/policy-schema.js';
import { defineRoute, type AdminRoute } from '../define-route.js';
import {
  killSwitchStateSchema,
  policyDiffSchema,
  policySimulationSchema,
  policyValidationSchema,
  policyVersionListSchema,
  policyVersionSchema,
} from './governance-schemas.js';

/** A policy document: YAML or JSON text, or the document as an object. */
const documentInput = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);
/** Body of `POST /policy`. */
export const applyPolicyBody = z.strictObject({ document: documentInput, comment: z.string().max(500).optional() });
/** Body of `POST /policy/simulate`. */
export const simulatePolicyBody = z.strictObject({
  subject: z
    .strictObject({
      type: z.enum(['user', 'api_key', 'agent', 'runtime_session']).default('api_key'),
      id: z.string().optional(),
      apiKeyId: z.string().nullable().optional(),
      agentId: z.string().nullable().optional(),
      userId: z.string().nullable().optional(),
      teamIds: z.array(z.string()).default([]),
      role: z.enum(['owner', 'admin', 'approver', 'viewer']).nullable().optional(),
    })
    .default({ type: 'api_key', teamIds: [] }),
  tool: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
  readOnly: z.boolean().default(false),
  server: z.string().nullable().optional(),
  document: documentInput.optional(),
});

/** Body of `POST /policy/validate`. */
export const validatePolicyBody = z.strictObject({ document: documentInput });

/** Body of `POST /policy/diff`: from a version (default: the active one) to a version or a proposed document. */
export const diffPolicyBody = z.strictObject({
  from: z.number().int().positive().optional(),
  to: z.union([z.number().int().positive(), documentInput]),
});

/** Body of `POST /policy/rollback`. */
export const rollbackPolicyBody = z.strictObject({ version: z.number().int().positive() });

/** Query of `GET /policy/export`. */
export const exportPolicyQuery = z.strictObject({
  format: z.enum(['yaml', 'json']).default('yaml'),
  version: z.coerce.number().int().positive().optional(),
});

/** Body of `POST /kill-switch/activate`: the scopes to stop (all when omitted) and why. */
export const activateKillSwitchBody = z.strictObject({
  scopes: z
    .array(z.enum(killSwitchScopes))
    .min(1)
    .default([...killSwitchScopes]),
  reason: z.string().min(1).max(500),
});

/** Body of `POST /kill-switch/deactivate`: the scopes to resume (all when omitted). */
export const deactivateKillSwitchBody = z.strictObject({ scopes: z.array(z.enum(killSwitchScopes)).min(1).optional() });

/** Policy versions, validation, diff, rollback, export, simulation, and the kill switch. */
export const governanceRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/policy',
    summary: 'The active policy version',
    tag: 'policy',
    access: { role: 'viewer' },
    response: policyVersionSchema,
    errors: [404],
    async handler({ preloop, principal }) {
      const { version } = await preloop.governance.policies.active(principal!.accountId);
      // The active version is always stored; were its row gone, say so rather than answer `null`.
      const active = await preloop.governance.policies.get(principal!.accountId, version);
      if (!active) throw new PreloopError('NOT_FOUND', `No policy version ${version} (the active one).`);
      return active;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/policy',
    summary: 'Apply a policy document as the new active version (refused, changing nothing, when invalid or its tests fail)',
    tag: 'policy',
    access: { role: 'admin' },
    body: applyPolicyBody,
    status: 201,
    response: policyVersionSchema,
    handler: ({ preloop, principal, body }) =>
      preloop.governance.policies.apply(principal!.accountId, body.document, principal!, body.comment),
  }),
  defineRoute({
    method: 'GET',
    path: '/policy/versions',
    summary: 'Every policy version, newest first',
    tag: 'policy',
    access: { role: 'viewer' },
    response: policyVersionListSchema,
    handler: async ({ preloop, principal }) => ({
      items: await preloop.governance.policies.versions(principal!.accountId),
      nextCursor: null,
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/policy/versions/:version',
    summary: 'One policy version',
    tag: 'policy',
    access: { role: 'viewer' },
    params: z.object({ version: z.string().regex(/^[1-9][0-9]{0,8}$/, 'must be a policy version number (1, 2, …)') }),
    response: policyVersionSchema,
    errors: [404],
    async handler({ preloop, principal, params }) {
      const version = await preloop.governance.policies.get(principal!.accountId, Number(params.version));
      if (!version) throw new PreloopError('NOT_FOUND', `No policy version ${params.version}.`);
      return version;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/policy/validate',
    summary: 'Validate a document and run its tests, changing nothing',
    tag: 'policy',
    access: { role: 'viewer' },
    body: validatePolicyBody,
    response: policyValidationSchema,
    handler: ({ preloop, body }) => preloop.governance.policies.validate(body.document),
  }),
  defineRoute({
    method: 'POST',
    path: '/policy/diff',
    summary: 'Unified diff between versions, or between a version (default: active) and a proposed document',
    tag: 'policy',
    access: { role: 'viewer' },
    body: diffPolicyBody,
    response: policyDiffSchema,
    errors: [404],
    async handler({ preloop, principal, body }) {
      const accountId = principal!.accountId;
      const from = body.from ?? (await preloop.governance.policies.active(accountId)).version;
      return { diff: await preloop.governance.policies.diff(accountId, from, body.to) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/policy/rollback',
    summary: 'Make an earlier version active again (as a new version)',
    tag: 'policy',
    access: { role: 'admin' },
    body: rollbackPolicyBody,
    response: policyVersionSchema,
    errors: [404],
    handler: ({ preloop, principal, body }) => preloop.governance.policies.rollback(principal!.accountId, body.version, principal!),
  }),
  defineRoute({
    method: 'GET',
    path: '/policy/export',
    summary: 'The active (or a given) version as YAML or JSON text',
    tag: 'policy',
    access: { role: 'viewer' },
    query: exportPolicyQuery,
    response: [policyDocumentSchema, { mediaType: 'application/yaml', description: 'The policy document as YAML (format=yaml)' }],
    errors: [404],
    async handler({ preloop, principal, query }) {
      const text = await preloop.governance.policies.export(principal!.accountId, query.format, query.version);
      return new Response(text, {
        headers: { 'content-type': query.format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8' },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/policy/schema',
    summary: 'The JSON Schema of policy documents',
    tag: 'policy',
    access: 'public',
    response: z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12)'),
    handler: () => policyJsonSchema(),
  }),
  defineRoute({
    method: 'POST',
    path: '/policy/simulate',
    summary: 'What would happen to this call from this subject (against the active or a proposed document), running nothing',
    tag: 'policy',
    access: { role: 'viewer' },
    body: simulatePolicyBody,
    response: policySimulationSchema,
    async handler({ preloop, principal, body }) {
      const accountId = principal!.accountId;
      const subject: Principal = {
        type: body.subject.type,
        id: body.subject.id ?? body.subject.apiKeyId ?? body.subject.agentId ?? body.subject.userId ?? 'simulated',
        accountId,
        name: 'simulated subject',
        role: body.subject.role ?? null,
        userId: body.subject.userId ?? null,
        apiKeyId: body.subject.apiKeyId ?? null,
        agentId: body.subject.agentId ?? null,
        runtimeSessionId: null,
        teamIds: body.subject.teamIds,
        scopes: [],
      };
      const input = { subject, tool: { name: body.tool, server: body.server ?? null, readOnly: body.readOnly }, args: body.args };
      if (body.document !== undefined) {
        const document =
          typeof body.document === 'string' ? parsePolicyDocument(body.document) : parsePolicyDocument(body.document, 'json');
        return simulatePolicy(compilePolicy(document), input);
      }
      const decision = await preloop.governance.evaluateToolCall(input);
      return { visible: await preloop.governance.isToolVisible(subject, body.tool), decision };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/kill-switch',
    summary: 'The kill switch state',
    tag: 'kill-switch',
    access: { role: 'viewer' },
    response: killSwitchStateSchema,
    handler: ({ preloop, principal }) => preloop.governance.killSwitch.state(principal!.accountId),
  }),
  defineRoute({
    method: 'POST',
    path: '/kill-switch/activate',
    summary: 'Stop tools, models and/or flows account-wide, on every instance',
    tag: 'kill-switch',
    access: { role: 'admin' },
    body: activateKillSwitchBody,
    response: killSwitchStateSchema,
    handler: ({ preloop, principal, body }) =>
      preloop.governance.killSwitch.activate(principal!.accountId, body.scopes, body.reason, principal!),
  }),
  defineRoute({
    method: 'POST',
    path: '/kill-switch/deactivate',
    summary: 'Resume the given scopes (all when omitted)',
    tag: 'kill-switch',
    access: { role: 'admin' },
    body: deactivateKillSwitchBody,
    response: killSwitchStateSchema,
    handler: ({ preloop, principal, body }) => preloop.governance.killSwitch.deactivate(principal!.accountId, body.scopes, principal!),
  }),
];
