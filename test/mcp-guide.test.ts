import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeDocExamples } from '@preloop/core/testing';

describeDocExamples('docs/mcp-guide.md', { root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), minimum: 2 });
