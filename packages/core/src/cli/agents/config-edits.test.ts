import { describe, expect, it } from 'vitest';
import { addTomlBlocks, deleteAt, parseJsonFile, printJsonLike, removeTomlBlocks, setAt, unifiedDiff } from './config-edits.js';

const blocks = [
  { position: 'top' as const, text: 'model_provider = "preloop"' },
  { position: 'end' as const, text: '[mcp_servers.preloop]\nurl = "http://127.0.0.1:8787/mcp"' },
];

describe('config edits', () => {
  it('adds TOML blocks and takes them out again, leaving the text as it was (empty, no final newline, comments)', () => {
    for (const text of ['', 'model = "o3"', '# mine\nmodel = "o3"\n\n[profiles.x]\nmodel_provider = "openai" # kept\n']) {
      const added = addTomlBlocks(text, blocks, [{ pattern: /^\s*model_provider\s*=/, topLevel: true }], 'config.toml');
      expect(added.indexOf('model_provider = "preloop"')).toBeLessThan(added.indexOf('[') === -1 ? Infinity : added.search(/^\[/m));
      expect(removeTomlBlocks(added).replace(/\n$/, '')).toBe(text.replace(/\n$/, ''));
    }
    expect(() =>
      addTomlBlocks('model_provider = "azure"\n', blocks, [{ pattern: /^\s*model_provider\s*=/, topLevel: true }], 'config.toml'),
    ).toThrow(/already has `model_provider = "azure"`/);
  });

  it('sets JSON entries keeping key order and indentation, and deletes them with the parents they emptied', () => {
    const text = '{\n    "b": 1,\n    "env": { "X": "1" }\n}';
    const root = parseJsonFile(text, 'settings.json');
    setAt(root, ['mcpServers', 'preloop'], { url: 'u' }, 'settings.json');
    setAt(root, ['env', 'Y'], '2', 'settings.json');
    expect(printJsonLike(root, text)).toBe(
      '{\n    "b": 1,\n    "env": {\n        "X": "1",\n        "Y": "2"\n    },\n    "mcpServers": {\n        "preloop": {\n            "url": "u"\n        }\n    }\n}',
    );
    deleteAt(root, ['mcpServers', 'preloop'], () => false);
    deleteAt(root, ['env', 'Y'], () => false);
    expect(root).toEqual({ b: 1, env: { X: '1' } });
    expect(() => setAt({ env: 'text' }, ['env', 'Y'], 1, 'settings.json')).toThrow(/"env" is not an object/);
    expect(() => parseJsonFile('[1]', 'mcp.json')).toThrow(/must hold a JSON object/);
  });

  it('prints a unified diff with hunk headers, /dev/null for a created file', () => {
    expect(unifiedDiff('a.txt', 'one\ntwo\nthree\n', 'one\n2\nthree\n')).toBe(
      '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three',
    );
    expect(unifiedDiff('b.json', null, '{}\n')).toBe('--- /dev/null\n+++ b/b.json\n@@ -0,0 +1,1 @@\n+{}');
  });
});
