/**
 * Atlassian Document Format (ADF), the rich-text JSON of Jira Cloud's REST API
 * v3 (descriptions, comments), to and from plain text.
 *
 * @module
 */

/** An ADF node: `{ type, content?, text?, attrs?, marks? }`. */
export interface AdfNode {
  type: string;
  content?: AdfNode[];
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
}

/** An ADF document (`{ type: 'doc', version: 1, content }`). */
export interface AdfDocument extends AdfNode {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

const blockTypes = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'codeBlock',
  'blockquote',
  'rule',
  'panel',
  'table',
  'mediaSingle',
  'mediaGroup',
  'expand',
  'nestedExpand',
  'decisionList',
  'taskList',
]);

function inline(nodes: AdfNode[] | undefined): string {
  return (nodes ?? []).map((node) => nodeText(node, '')).join('');
}

function blocks(nodes: AdfNode[] | undefined, indent: string): string {
  return (nodes ?? [])
    .map((node) => nodeText(node, indent))
    .filter((text) => text !== '')
    .join('\n\n');
}

function listItems(node: AdfNode, indent: string, ordered: boolean): string {
  const start = Number(node.attrs?.order ?? 1);
  return (node.content ?? [])
    .map((item, index) => {
      const marker = ordered ? `${start + index}. ` : item.attrs?.state === 'DONE' ? '[x] ' : item.type === 'taskItem' ? '[ ] ' : '- ';
      const text = (item.content ?? [])
        .map((child) => (blockTypes.has(child.type) ? nodeText(child, `${indent}  `) : nodeText(child, '')))
        .filter((part) => part !== '')
        .join('\n');
      return `${indent}${marker}${text}`;
    })
    .join('\n');
}

function nodeText(node: AdfNode, indent: string): string {
  switch (node.type) {
    case 'doc':
      return blocks(node.content, indent);
    case 'text':
      return node.text ?? '';
    case 'hardBreak':
      return '\n';
    case 'mention':
      return String(node.attrs?.text ?? `@${String(node.attrs?.id ?? '')}`);
    case 'emoji':
      return String(node.attrs?.text ?? node.attrs?.shortName ?? '');
    case 'date':
      return new Date(Number(node.attrs?.timestamp)).toISOString().slice(0, 10);
    case 'status':
      return `[${String(node.attrs?.text ?? '')}]`;
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return String(node.attrs?.url ?? '');
    case 'paragraph':
    case 'heading':
      return inline(node.content);
    case 'codeBlock':
      return `\`\`\`${String(node.attrs?.language ?? '')}\n${inline(node.content)}\n\`\`\``;
    case 'blockquote':
      return blocks(node.content, indent)
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'rule':
      return '---';
    case 'bulletList':
    case 'taskList':
    case 'decisionList':
      return listItems(node, indent, false);
    case 'orderedList':
      return listItems(node, indent, true);
    case 'table':
      return (node.content ?? []).map((row) => (row.content ?? []).map((cell) => blocks(cell.content, '')).join(' | ')).join('\n');
    default:
      // panels, expands, media and anything newer: their text, whatever the wrapper
      return node.content ? blocks(node.content, indent) : (node.text ?? '');
  }
}

/**
 * The plain text of an ADF document (paragraphs separated by a blank line,
 * lists as `- ` / `1. `, code blocks fenced); a string (Jira's REST API v2 and
 * webhooks send wiki text) is returned as it is, and nothing as `''`.
 *
 * @example
 * ```ts
 * adfToText({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hello' }] }] }); // 'Hello'
 * ```
 */
export function adfToText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || typeof (value as AdfNode).type !== 'string') return '';
  return nodeText(value as AdfNode, '');
}

/**
 * An ADF document from plain text: one paragraph per blank-line-separated
 * block, line breaks inside a block as `hardBreak`s (ADF allows no empty text
 * nodes, so empty lines are skipped).
 *
 * @example
 * ```ts
 * textToAdf('Steps:\n1. open\n\nExpected: works');
 * // { type: 'doc', version: 1, content: [paragraph(Steps:, hardBreak, 1. open), paragraph(Expected: works)] }
 * ```
 */
export function textToAdf(text: string): AdfDocument {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((block) => block.split('\n'))
    .filter((lines) => lines.some((line) => line !== ''));
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((lines) => ({
      type: 'paragraph',
      content: lines.flatMap((line, index): AdfNode[] => [
        ...(index > 0 ? [{ type: 'hardBreak' }] : []),
        ...(line === '' ? [] : [{ type: 'text', text: line }]),
      ]),
    })),
  };
}
