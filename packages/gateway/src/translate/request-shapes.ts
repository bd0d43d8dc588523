/**
 * Shape checks of ingress requests before they are translated to another
 * provider's format. A same-format call passes through and the provider
 * judges it; a translated one is checked here first, so a malformed field
 * is a 400 naming it (`messages[2].role: must be one of …`) instead of a
 * JavaScript error from inside a translator, and nothing is silently dropped.
 * Only what the translators read is checked; other fields pass.
 *
 * @module
 */

import { formatPath, PreloopError } from '@preloop/core';
import { z } from 'zod';

const text = z.string();
const object = z.looseObject({});
const textPart = z.looseObject({ type: z.literal('text'), text });

// OpenAI chat completions.
const chatUserPart = z.discriminatedUnion('type', [
  textPart,
  z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: text }) }),
  z.looseObject({
    type: z.literal('file'),
    file: z.looseObject({ file_data: text.optional(), file_id: text.optional(), filename: text.optional() }),
  }),
  z.looseObject({ type: z.literal('input_audio') }),
]);
const chatAssistantPart = z.discriminatedUnion('type', [textPart, z.looseObject({ type: z.literal('refusal'), refusal: text })]);
const chatToolCall = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('function'), id: text, function: z.looseObject({ name: text, arguments: text }) }),
  z.looseObject({ type: z.literal('custom') }),
]);
const chatMessage = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: z.union([text, z.array(textPart)]) }),
  z.looseObject({ role: z.literal('developer'), content: z.union([text, z.array(textPart)]) }),
  z.looseObject({ role: z.literal('user'), content: z.union([text, z.array(chatUserPart)]) }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([text, z.array(chatAssistantPart)]).nullish(),
    refusal: text.nullish(),
    tool_calls: z.array(chatToolCall).nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: text, content: z.union([text, z.array(textPart)]) }),
  z.looseObject({ role: z.literal('function') }),
]);
const chatRequest = z.looseObject({
  messages: z.array(chatMessage),
  tools: z
    .array(
      z.discriminatedUnion('type', [
        z.looseObject({
          type: z.literal('function'),
          function: z.looseObject({ name: text, description: text.nullish(), parameters: object.nullish() }),
        }),
        z.looseObject({ type: z.literal('custom') }),
      ]),
    )
    .nullish(),
  stop: z.union([text, z.array(text)]).nullish(),
});

// Anthropic Messages.
const anthropicSource = z.looseObject({ type: text });
const anthropicResultPart = z.discriminatedUnion('type', [
  textPart,
  z.looseObject({ type: z.literal('image'), source: anthropicSource }),
  z.looseObject({ type: z.literal('document'), source: anthropicSource }),
  z.looseObject({ type: z.literal('search_result') }),
]);
const anthropicBlock = z.discriminatedUnion('type', [
  textPart,
  z.looseObject({ type: z.literal('image'), source: anthropicSource }),
  z.looseObject({ type: z.literal('document'), source: anthropicSource }),
  z.looseObject({ type: z.literal('tool_use'), id: text, name: text }),
  z.looseObject({ type: z.literal('tool_result'), tool_use_id: text, content: z.union([text, z.array(anthropicResultPart)]).optional() }),
  z.looseObject({ type: z.literal('thinking') }),
  z.looseObject({ type: z.literal('redacted_thinking') }),
]);
const anthropicContent = z.union([text, z.array(anthropicBlock)]);
const anthropicRequest = z.looseObject({
  system: z.union([text, z.array(textPart)]).optional(),
  messages: z.array(
    z.discriminatedUnion('role', [
      z.looseObject({ role: z.literal('user'), content: anthropicContent }),
      z.looseObject({ role: z.literal('assistant'), content: anthropicContent }),
      z.looseObject({ role: z.literal('system'), content: z.union([text, z.array(textPart)]) }),
    ]),
  ),
  tools: z.array(z.looseObject({ name: text, type: text.nullish(), input_schema: object.optional() })).optional(),
  stop_sequences: z.array(text).optional(),
  tool_choice: z.looseObject({ type: text }).optional(),
});

// OpenAI Responses.
const responsesPart = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('input_text'), text }),
  z.looseObject({ type: z.literal('output_text'), text }),
  z.looseObject({ type: z.literal('refusal'), refusal: text }),
  z.looseObject({ type: z.literal('input_image'), image_url: text.nullish() }),
  z.looseObject({ type: z.literal('input_file'), file_data: text.nullish() }),
]);
const responsesMessage = z.looseObject({
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([text, z.array(responsesPart)]),
});
const responsesItems: Record<string, z.ZodType> = {
  message: responsesMessage,
  function_call: z.looseObject({ call_id: text, name: text, arguments: text, namespace: text.optional() }),
  function_call_output: z.looseObject({ call_id: text, output: z.union([text, z.array(responsesPart)]) }),
};
const responsesTools: Record<string, z.ZodType> = {
  function: z.looseObject({ name: text, parameters: object.nullish() }),
  namespace: z.looseObject({
    name: text,
    description: text.nullish(),
    tools: z.array(z.looseObject({ type: text, name: text, parameters: object.nullish() })),
  }),
};
const responsesRequest = z.looseObject({
  instructions: text.nullish(),
  input: z.union([text, z.array(z.looseObject({ type: text.nullish() }))]).optional(),
  tools: z.array(z.looseObject({ type: text })).nullish(),
});

interface Problem {
  path: string;
  message: string;
}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);
const received = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : article(typeof value));
const at = (root: unknown, path: readonly PropertyKey[]) =>
  path.reduce<unknown>(
    (value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  );

/** Turns zod issues into messages naming the field; a union reports its closest option, not "Invalid input". */
function problemsOf(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[], root: unknown): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const value = at(root, path);
    if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
      const found = value === undefined ? 'missing' : `got ${JSON.stringify(value)}`;
      problems.push({
        path: formatPath(path),
        message: `must be one of ${issue.options.map((option) => JSON.stringify(option)).join(', ')} (${found})`,
      });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The options that got past the type check say what is wrong inside; if none did, list the types allowed.
      const deeper = issue.errors.filter((errors) => !errors.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (deeper.length > 0) problems.push(...problemsOf(deeper[deeper.length - 1]!, path, root));
      else {
        const kinds = issue.errors.map((errors) => (errors[0] as { expected?: string }).expected).map((kind) => article(String(kind)));
        const allowed = kinds.join(' or ');
        problems.push({
          path: formatPath(path),
          message: value === undefined ? `is required (${allowed})` : `must be ${allowed}, not ${received(value)}`,
        });
      }
    } else if (issue.code === 'invalid_type') {
      problems.push({
        path: formatPath(path),
        message:
          value === undefined ? `is required (${article(issue.expected)})` : `must be ${article(issue.expected)}, not ${received(value)}`,
      });
    } else problems.push({ path: formatPath(path), message: issue.message });
  }
  return problems;
}

function check(schema: z.ZodType, value: unknown, prefix: readonly PropertyKey[], root: unknown, problems: Problem[]): void {
  const result = schema.safeParse(value);
  if (!result.success) problems.push(...problemsOf(result.error.issues, prefix, root));
}

function fail(problems: Problem[]): void {
  if (problems.length === 0) return;
  const summary = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  throw new PreloopError('VALIDATION_ERROR', `${summary}.`, { details: { issues: problems } });
}

/**
 * Checks an OpenAI chat completions request before it is translated; throws
 * a 400 `VALIDATION_ERROR` naming each malformed field.
 *
 * @example
 * ```ts
 * checkChatRequest(body); // throws "messages[2].role: must be one of …"
 * ```
 */
export function checkChatRequest(body: unknown): void {
  const problems: Problem[] = [];
  check(chatRequest, body, [], body, problems);
  fail(problems);
}

/**
 * Checks an Anthropic Messages request before it is translated; throws a 400
 * `VALIDATION_ERROR` naming each malformed field.
 *
 * @example
 * ```ts
 * checkMessagesRequest(body); // throws "messages[0].content: must be a string or an array, not a number"
 * ```
 */
export function checkMessagesRequest(body: unknown): void {
  const problems: Problem[] = [];
  check(anthropicRequest, body, [], body, problems);
  fail(problems);
}

/**
 * Checks an OpenAI Responses request before it is translated; throws a 400
 * `VALIDATION_ERROR` naming each malformed field.
 *
 * @example
 * ```ts
 * checkResponsesRequest(body); // throws "input[1].call_id: is required (a string)"
 * ```
 */
export function checkResponsesRequest(body: unknown): void {
  const problems: Problem[] = [];
  check(responsesRequest, body, [], body, problems);
  const { input, tools } = body as { input?: unknown; tools?: unknown };
  if (problems.length === 0 && Array.isArray(tools)) {
    for (const [index, tool] of tools.entries()) {
      const schema = responsesTools[(tool as { type: string }).type];
      if (schema) check(schema, tool, ['tools', index], body, problems);
    }
  }
  if (problems.length === 0 && Array.isArray(input)) {
    for (const [index, item] of input.entries()) {
      const { type, role } = item as { type?: unknown; role?: unknown };
      const schema =
        role !== undefined && (type == null || type === 'message')
          ? responsesItems.message
          : typeof type === 'string'
            ? responsesItems[type]
            : undefined;
      if (schema) check(schema, item, ['input', index], body, problems);
    }
  }
  fail(problems);
}
