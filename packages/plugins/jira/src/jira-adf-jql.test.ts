/** ADF ↔ text and JQL quoting, the pure parts of the Jira tracker. */
import { describe, expect, it } from 'vitest';
import { adfToText, textToAdf } from './jira-adf.js';
import { jqlDate, jqlString, jqlTextTerm, listJql, searchJql } from './jira-jql.js';

describe('Atlassian Document Format', () => {
  it('reads paragraphs, headings, lists, code, quotes, mentions, emoji, cards and tables as text', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Steps' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Ask ' },
            { type: 'mention', attrs: { id: '5b10', text: '@Ada' } },
            { type: 'text', text: ' ' },
            { type: 'emoji', attrs: { shortName: ':smile:', text: '😄' } },
            { type: 'hardBreak' },
            { type: 'text', text: 'then', marks: [{ type: 'strong' }] },
          ],
        },
        {
          type: 'orderedList',
          attrs: { order: 3 },
          content: [
            { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'open' }] }] },
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [{ type: 'text', text: 'click' }] },
                {
                  type: 'bulletList',
                  content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'twice' }] }] }],
                },
              ],
            },
          ],
        },
        { type: 'codeBlock', attrs: { language: 'sh' }, content: [{ type: 'text', text: 'npm test' }] },
        { type: 'blockquote', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'quoted' }] }] },
        {
          type: 'panel',
          attrs: { panelType: 'info' },
          content: [{ type: 'paragraph', content: [{ type: 'inlineCard', attrs: { url: 'https://example.com/x' } }] }],
        },
        { type: 'rule' },
        {
          type: 'table',
          content: [
            {
              type: 'tableRow',
              content: [
                { type: 'tableHeader', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a' }] }] },
                { type: 'tableCell', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'b' }] }] },
              ],
            },
          ],
        },
      ],
    };
    expect(adfToText(doc)).toBe(
      [
        'Steps',
        'Ask @Ada 😄\nthen',
        '3. open\n4. click\n  - twice',
        '```sh\nnpm test\n```',
        '> quoted',
        'https://example.com/x',
        '---',
        'a | b',
      ].join('\n\n'),
    );
  });

  it('passes wiki text through, reads nothing as empty, and writes text as paragraphs with hard breaks (no empty text nodes)', () => {
    expect(adfToText('h1. Title')).toBe('h1. Title');
    expect(adfToText(null)).toBe('');
    expect(adfToText({ nope: true })).toBe('');
    const doc = textToAdf('line one\nline two\n\n\nsecond\n\n');
    expect(doc).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'line one' }, { type: 'hardBreak' }, { type: 'text', text: 'line two' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'second' }] },
      ],
    });
    expect(adfToText(doc)).toBe('line one\nline two\n\nsecond');
    expect(textToAdf('')).toEqual({ type: 'doc', version: 1, content: [] });
  });
});

describe('JQL', () => {
  it('quotes values with their quotes and backslashes escaped', () => {
    expect(jqlString('plain')).toBe('"plain"');
    expect(jqlString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(jqlString('two\nlines')).toBe('"two lines"');
  });

  it('a text term escapes Lucene syntax and lowercases its boolean words', () => {
    expect(jqlTextTerm('crash AND burn')).toBe('"crash and burn"');
    expect(jqlTextTerm('a+b (c)')).toBe('"a\\\\+b \\\\(c\\\\)"');
    expect(jqlTextTerm('"quoted"')).toBe('"\\\\\\"quoted\\\\\\""');
  });

  it('builds search and sync queries', () => {
    expect(searchJql({})).toBe('statusCategory != Done ORDER BY updated DESC');
    expect(searchJql({ project: 'OPS', state: 'all', labels: ['a', 'b'], assignee: '5b10' })).toBe(
      'project = "OPS" AND labels = "a" AND labels = "b" AND assignee = "5b10" ORDER BY updated DESC',
    );
    expect(jqlDate(Date.UTC(2026, 6, 1, 22, 30, 59), 'America/New_York')).toBe('2026/07/01 18:30');
    expect(listJql('OPS', Date.UTC(2026, 0, 5, 9, 30), 'Europe/Berlin')).toBe(
      'project = "OPS" AND updated >= "2026/01/05 10:30" ORDER BY updated ASC, key ASC',
    );
    expect(listJql('OPS', undefined, 'UTC')).toBe('project = "OPS" ORDER BY updated ASC, key ASC');
  });
});
