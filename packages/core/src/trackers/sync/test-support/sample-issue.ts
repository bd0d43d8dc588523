import type { TrackerIssue } from '../../../contracts/tracker.js';

/**
 * A normalized issue for the issue store's tests, shaped as a tracker answers it.
 *
 * @example
 * ```ts
 * const issue = sampleIssue(1, { title: 'Crash' });
 * ```
 */
export function sampleIssue(number: number, fields: Partial<TrackerIssue> = {}): TrackerIssue {
  const project = fields.project ?? 'acme/web';
  return {
    id: `src-${project}-${number}`,
    project,
    number: String(number),
    key: `${project}#${number}`,
    title: `Issue ${number}`,
    body: '',
    state: 'open',
    labels: [],
    assignees: [],
    author: 'octocat',
    url: `https://github.example/${project}/issues/${number}`,
    createdAt: 1_000 + number,
    updatedAt: 2_000 + number,
    closedAt: null,
    raw: { number },
    ...fields,
  };
}
