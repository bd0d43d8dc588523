import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeDocExamples } from '@preloop/core/testing';

describeDocExamples('docs/approvals-guide.md', {
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'),
  minimum: 6,
  concurrent: true,
});
