import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeDocExamples } from '@preloop/core/testing';

describeDocExamples('docs/plugins.md', {
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
  output: /notes plugin works/,
});
