import type { Flow, FlowBody, FlowTrigger } from '../../client/api-types.js';

/** A trigger's type, as the builder's "Starts on" select names it. */
export type TriggerType = FlowTrigger['type'];

/** A comma- or newline-separated list, trimmed, empty entries dropped. */
const listOf = (text: string): string[] =>
  text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * The one-line description of a trigger, as the flows list shows it.
 *
 * @example
 * ```ts
 * describeTrigger({ type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }); // 'cron 0 9 * * 1-5 (Europe/Paris)'
 * ```
 */
export function describeTrigger(trigger: FlowTrigger): string {
  switch (trigger.type) {
    case 'event': {
      const parts = [trigger.types?.join(' | ') ?? trigger.event];
      if (trigger.projects?.length) parts.push(`in ${trigger.projects.join(', ')}`);
      if (trigger.labels?.length) parts.push(`label ${trigger.labels.join(', ')}`);
      if (trigger.condition) parts.push('if …');
      return parts.join(' ');
    }
    case 'schedule':
      return `cron ${trigger.cron} (${trigger.timezone})`;
    case 'webhook':
      return 'signed webhook';
    case 'manual':
      return 'by hand';
  }
}

/**
 * The builder's starting values: a new flow's (started by hand, `agent-loop`), or a saved flow's body.
 *
 * @example
 * ```ts
 * const draft = flowDraft(null);
 * ```
 */
export function flowDraft(flow: Flow | null): FlowBody {
  if (!flow) return { name: '', prompt: '', triggers: [{ type: 'manual' }], runtime: { id: 'agent-loop', options: {} } };
  const { id: _id, agentId: _agent, version: _version, createdAt: _created, updatedAt: _updated, webhookUrl: _url, ...body } = flow;
  return body;
}

/**
 * The trigger the builder edits: the first one that is not a manual start, else a manual one.
 *
 * @example
 * ```ts
 * primaryTrigger(flowDraft(null)); // { type: 'manual' }
 * ```
 */
export function primaryTrigger(draft: FlowBody): FlowTrigger {
  const triggers = (draft.triggers ?? []) as FlowTrigger[];
  return triggers.find((trigger) => trigger.type !== 'manual') ?? { type: 'manual' };
}

/**
 * A flow's body from the builder's form fields. The triggers the form does not
 * edit (a second webhook or schedule of a flow made with the API) are kept.
 * Throws naming a field that is not valid JSON.
 *
 * @example
 * ```ts
 * const body = flowBodyFromForm(new FormData(form), draft);
 * ```
 */
export function flowBodyFromForm(data: FormData, draft: FlowBody): FlowBody {
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const number = (name: string) => (text(name) === '' ? null : Number(text(name)));
  const json = (name: string, label: string) => {
    if (!text(name)) return {};
    try {
      return JSON.parse(text(name)) as Record<string, unknown>;
    } catch {
      throw new Error(`${label}: not valid JSON`);
    }
  };
  const type = text('trigger') as TriggerType;
  const triggers: FlowTrigger[] = [];
  if (type === 'event')
    triggers.push({
      type: 'event',
      event: text('event') || 'tracker-event',
      ...(listOf(text('types')).length ? { types: listOf(text('types')) } : {}),
      ...(listOf(text('projects')).length ? { projects: listOf(text('projects')) } : {}),
      ...(listOf(text('labels')).length ? { labels: listOf(text('labels')) } : {}),
      ...(text('condition') ? { condition: text('condition') } : {}),
    });
  if (type === 'schedule') triggers.push({ type: 'schedule', cron: text('cron'), timezone: text('timezone') || 'UTC' });
  if (type === 'webhook') triggers.push({ type: 'webhook' });
  const edited = primaryTrigger(draft);
  const others = ((draft.triggers ?? []) as FlowTrigger[]).filter((trigger) => trigger !== edited && trigger.type !== 'manual');
  triggers.push(...others);
  if (type === 'manual' || data.get('manual') === 'on') triggers.push({ type: 'manual' });
  const budget = number('budget');
  return {
    name: text('name'),
    description: text('description'),
    enabled: draft.enabled ?? true,
    triggers,
    inputs: json('inputs', 'Inputs') as FlowBody['inputs'],
    prompt: text('prompt'),
    runtime: { id: text('runtime') || 'agent-loop', options: json('runtimeOptions', 'Runtime options') },
    model: text('model') || null,
    tools: data.get('allTools') === 'on' ? null : [...data.getAll('tool').map(String), ...listOf(text('toolGlobs'))],
    approval: text('approvalWorkflow') ? { workflow: text('approvalWorkflow'), tools: listOf(text('approvalTools')) } : null,
    budgetMicros: budget === null ? null : Math.round(budget * 1_000_000),
    concurrency: number('concurrency') ?? 1,
    timeoutSeconds: number('timeoutSeconds') ?? 900,
    retries: { count: number('retries') ?? 0, backoffSeconds: number('backoffSeconds') ?? 30 },
  };
}
