import { PreloopError } from '@preloop/core';
import { Liquid } from 'liquidjs';
import { maximumTemplateLength } from './flow-schema.js';

/** The longest rendered prompt, in characters. */
export const maximumRenderedLength = 65_536;

/** What a prompt template sees. */
export interface TemplateScope {
  /** The trigger's payload: the kernel event, the webhook's JSON body, the schedule tick, or null for a manual start. */
  event: unknown;
  /** The inputs (manual starts) after defaults. */
  inputs: Record<string, unknown>;
  /** The flow: `{ id, name }`. */
  flow: { id: string; name: string };
}

/**
 * The Liquid engine of prompt templates: no code execution (Liquid has no
 * expressions beyond filters and tags), no file system (`include` and `render`
 * find no templates), own properties only, unknown filters are errors, and
 * parse, render-time and memory limits. Variables are not strict: a missing
 * field of an event renders empty, so `| default:` works and one flow can take
 * events that differ in shape; the preview shows what a template makes of a
 * sample event.
 */
const engine = new Liquid({
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  templates: {},
  outputEscape: undefined,
  parseLimit: maximumTemplateLength,
  renderLimit: 1000,
  memoryLimit: 16 * 1024 * 1024,
});

/**
 * Checks a template parses; throws `VALIDATION_ERROR` naming `path` when not.
 *
 * @example
 * ```ts
 * checkTemplate('Triage {{ event.issue.title }}', 'prompt');
 * ```
 */
export function checkTemplate(template: string, path = 'prompt'): void {
  try {
    engine.parse(template);
  } catch (error) {
    throw templateError(path, error);
  }
}

/**
 * Renders a prompt template against `{ event, inputs, flow }`. A template
 * that does not parse, runs too long or renders more than 64 KB throws
 * `VALIDATION_ERROR` saying why.
 *
 * @example
 * ```ts
 * const prompt = await renderTemplate('Triage {{ event.issue.title }}', { event, inputs: {}, flow: { id, name } });
 * ```
 */
export async function renderTemplate(template: string, scope: TemplateScope, path = 'prompt'): Promise<string> {
  let rendered: string;
  try {
    rendered = String(await engine.parseAndRender(template, scope as unknown as Record<string, unknown>));
  } catch (error) {
    throw templateError(path, error);
  }
  if (rendered.length > maximumRenderedLength)
    throw new PreloopError(
      'VALIDATION_ERROR',
      `${path}: the rendered prompt is ${rendered.length} characters; the limit is ${maximumRenderedLength}.`,
    );
  return rendered;
}

function templateError(path: string, error: unknown): PreloopError {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
  return new PreloopError('VALIDATION_ERROR', `${path}: the template cannot be rendered: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
