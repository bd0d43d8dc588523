import { page } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalListItem } from '../../client/api-types.js';
import type { PreloopDecisionRequestedEvent } from '../../events/preloop-events.js';
import { mount, query, queryAll, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

function request(overrides: Partial<ApprovalListItem> = {}): ApprovalListItem {
  const now = Date.now();
  return {
    id: 'apr_test_1',
    accountId: 'acc_default',
    status: 'pending',
    kind: 'tool_call',
    tool: { name: 'github.merge_pull_request', definitionHash: 'abc' },
    // As the server sends them: redacted and bounded by core's redactArguments, with a marker per path.
    args: {
      repo: 'acme/api',
      number: 42,
      token: '[redacted]',
      nested: { password: '[redacted]', note: 'deploy with [redacted:api-key] now' },
      author: 'ada',
      auth_method: 'oauth',
      max_tokens: 4096,
      passenger_count: 3,
      page_token: 'CAESBggBEAEYAQ',
      body: `${'x'.repeat(40)}…[truncated 1048536 bytes; sha256 ${'a'.repeat(64)}]`,
    },
    argsRedactions: [
      { path: ['body'], reason: 'truncated', bytes: 1048576, sha256: 'a'.repeat(64) },
      { path: ['nested', 'note'], reason: 'secret-value', kinds: ['api-key'] },
      { path: ['nested', 'password'], reason: 'secret-name' },
      { path: ['token'], reason: 'secret-name' },
    ],
    argsHash: 'f'.repeat(64),
    subject: {
      type: 'runtime_session',
      id: 'rs_0193abcdef0123456789',
      name: 'claude-code-ci',
      userId: null,
      apiKeyId: null,
      agentId: 'agt_1',
    },
    runtimeSessionId: 'rs_0193abcdef0123456789',
    workflow: { name: 'admins', quorum: 2, requireReason: false, escalates: false },
    reason: 'Merging to main needs two approvals',
    justification: 'CI is green and the change was reviewed.',
    question: null,
    votes: { approve: 1, deny: 0 },
    createdAt: now - 60_000,
    expiresAt: now + 125_000,
    escalatedAt: null,
    decidedAt: null,
    decidedBy: null,
    comment: null,
    answer: null,
    outcomeReason: null,
    executedAt: null,
    viewer: { canDecide: true },
    ...overrides,
  };
}

describe('<preloop-approval-card>', () => {
  it('shows the tool, the arguments as the server sent them with its markers, requester, session, reason and quorum', async () => {
    const card = await mount('preloop-approval-card', { approval: request() });
    expect(textOf(query(card, 'h2'))).toBe('github.merge_pull_request');
    const args = textOf(query(card, 'pre[part="arguments"]'));
    expect(args).toContain('"repo": "acme/api"');
    expect(args).toContain('"number": 42');
    expect(args).toContain('"token": [redacted]');
    expect(args).toContain('"password": [redacted]');
    // Names that only contain auth/token/pass as a substring are shown to the approver (issue 10).
    expect(args).toContain('"author": "ada"');
    expect(args).toContain('"auth_method": "oauth"');
    expect(args).toContain('"max_tokens": 4096');
    expect(args).toContain('"passenger_count": 3');
    expect(args).toContain('"page_token": "CAESBggBEAEYAQ"');
    // Every place the server hid or cut is marked, with the reason in its title.
    const marked = queryAll(card, 'pre[part="arguments"] [part="redaction"]');
    expect(marked.map((element) => [element.textContent, element.getAttribute('title')])).toEqual([
      ['[redacted]', 'Hidden by the server: the field’s name names a secret'],
      ['[redacted]', 'Hidden by the server: the field’s name names a secret'],
      ['[redacted:api-key]', 'Hidden by the server: a credential-shaped value'],
    ]);
    const cut = query(card, 'pre[part="arguments"] [part="truncation"]')!;
    expect(textOf(cut)).toBe(`… 1,048,536 more bytes (sha256 ${'a'.repeat(12)}…)`);
    expect(cut.getAttribute('title')).toBe(`The full value is 1048576 bytes, SHA-256 ${'a'.repeat(64)}`);
    expect(args).toContain(`"body": "${'x'.repeat(40)}"`);
    expect(textOf(query(card, '[part="arguments-note"]'))).toContain('4 values are hidden or shortened by the server');
    const text = textOf(card);
    expect(text).toContain('by claude-code-ci (runtime session)');
    expect(text).toContain('session rs_0193ab…6789');
    expect(text).toContain('Merging to main needs two approvals');
    expect(text).toContain('CI is green and the change was reviewed.');
    expect(textOf(query(card, '.quorum'))).toContain('1/2');
  });

  it('shows each factor of a factored workflow with who counts toward it', async () => {
    const factored = {
      ...request({
        workflow: {
          name: 'release',
          quorum: 3,
          requireReason: false,
          escalates: false,
          factors: [
            { name: 'platform', quorum: 2 },
            { name: 'security', quorum: 1 },
          ],
        },
      }),
      voteList: [],
      timeline: [],
      hasResult: false,
      factorTallies: [
        { name: 'platform', quorum: 2, approvers: ['usr_a', 'usr_b'] },
        { name: 'security', quorum: 1, approvers: [] },
      ],
    };
    const card = await mount('preloop-approval-card', { approval: factored });
    expect(queryAll(card, '[part="factors"] li').map((item) => textOf(item))).toEqual(['platform 2/2', 'security 0/1']);
    const listed = await mount('preloop-approval-card', { approval: request({ workflow: factored.workflow }) });
    expect(queryAll(listed, '[part="factors"] li').map((item) => textOf(item))).toEqual(['platform needs 2', 'security needs 1']);
  });

  it("shows the AI reviewer's opinion as advice that does not count, with its confidence, reasoning and why it did not decide", async () => {
    const reviewed = {
      ...request(),
      voteList: [],
      hasResult: false,
      factorTallies: null,
      timeline: [
        {
          id: 'ape_1',
          time: Date.now(),
          type: 'ai_review',
          actorId: 'agt_reviewer',
          data: {
            model: 'reviewer',
            decision: 'approve',
            confidence: 0.62,
            reasoning: 'Docs only.',
            problem: 'confidence 0.62 is below the threshold 0.8',
            counted: false,
          },
        },
      ],
    };
    const card = await mount('preloop-approval-card', { approval: reviewed });
    const text = textOf(query(card, '[part="ai-review"]'));
    expect(text.toLowerCase()).toContain('ai reviewer (reviewer) · advice, not counted'); // the label is upper-cased by CSS
    expect(text).toContain('Approve · confidence 62% — Docs only.');
    expect(text).toContain('confidence 0.62 is below the threshold 0.8');
    expect(query(await mount('preloop-approval-card', { approval: request() }), '[part="ai-review"]')).toBeNull();
  });

  it('counts the deadline down live, and disables deciding once it passes', async () => {
    const card = await mount('preloop-approval-card', { approval: request({ expiresAt: Date.now() + 2_500 }) });
    const countdown = () => textOf(query(card, '[role="timer"]'));
    const first = countdown();
    expect(first).toMatch(/0:0[12]/);
    await waitFor(() => countdown() !== first, { timeout: 2_000 });
    await waitFor(() => countdown().includes('Expired'), { timeout: 4_000 });
    expect(query<HTMLButtonElement>(card, 'button[part="approve"]')!.disabled).toBe(true);
  });

  it('asks its container to approve or deny, with the comment', async () => {
    const card = await mount('preloop-approval-card', { approval: request() });
    const requested: PreloopDecisionRequestedEvent[] = [];
    document.addEventListener('preloop-decision-requested', (event) => requested.push(event), { once: true });
    type(query<HTMLTextAreaElement>(card, 'textarea[name="comment"]')!, 'Looks right');
    query<HTMLButtonElement>(card, 'button[part="deny"]')!.click();
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({
      approvalId: 'apr_test_1',
      decision: 'deny',
      comment: 'Looks right',
      bubbles: true,
      composed: true,
    });
  });

  it('requires a comment when the workflow does', async () => {
    const card = await mount('preloop-approval-card', {
      approval: request({ workflow: { name: 'strict', quorum: 1, requireReason: true, escalates: false } }),
    });
    let requested = 0;
    card.addEventListener('preloop-decision-requested', () => (requested += 1));
    query<HTMLButtonElement>(card, 'button[part="approve"]')!.click();
    await card.updateComplete;
    expect(requested).toBe(0);
    expect(textOf(query(card, '[role="alert"]'))).toContain('requires a comment');
    expect(textOf(card)).toContain('(required)');
  });

  it('shows no decide buttons to whom the server says may not decide, and says why before any click', async () => {
    const cases = [
      [{ canDecide: false, reason: 'viewer_role' }, 'Your role cannot decide approvals'],
      [{ canDecide: false, reason: 'read_only_key' }, 'This API key can only read'],
      [{ canDecide: false, reason: 'requester' }, 'You asked for this call. Separation of duties: someone else decides it.'],
      [{ canDecide: false, reason: 'key_owner' }, 'You own the agent or API key that asked for this call.'],
      [{ canDecide: false, reason: 'already_voted', vote: 'approve' }, 'You voted to approve; the request waits for the other approvers.'],
      [{ canDecide: false, reason: 'not_an_approver' }, 'You are not an approver of the workflow “admins”.'],
    ] as const;
    for (const [viewer, why] of cases) {
      // The server's word wins over the attribute (a container guessing from the role).
      const card = await mount('preloop-approval-card', { approval: request({ viewer }) }, { 'can-decide': '' });
      expect(query(card, 'button[part="approve"]'), viewer.reason).toBeNull();
      expect(query(card, 'button[part="deny"]'), viewer.reason).toBeNull();
      expect(query(card, 'textarea[name="comment"]'), viewer.reason).toBeNull();
      expect(textOf(query(card, '[part="decide-note"]'))).toContain(why);
    }
  });

  it('shows no buttons until it is known that the viewer may decide (a server without viewer, no can-decide)', async () => {
    const unknown = await mount('preloop-approval-card', { approval: request({ viewer: undefined }) });
    expect(query(unknown, 'button[part="approve"]')).toBeNull();
    expect(query(unknown, '[part="decide-note"]')).toBeNull();
    const allowed = await mount('preloop-approval-card', { approval: request({ viewer: undefined }) }, { 'can-decide': '' });
    expect(query(allowed, 'button[part="approve"]')).not.toBeNull();
  });

  it('shows the outcome of a decided request without actions', async () => {
    const card = await mount('preloop-approval-card', {
      approval: request({ status: 'denied', decidedAt: Date.now(), comment: 'Not during the freeze' }),
    });
    expect(query(card, 'button[part="approve"]')).toBeNull();
    expect(query(card, '[role="timer"]')).toBeNull();
    expect(textOf(card)).toContain('“Not during the freeze”');
  });

  it('answers a question by picking one of its options, and declines without an answer', async () => {
    const question = request({
      kind: 'question',
      tool: { name: 'ask_user', definitionHash: null },
      reason: null,
      question: { text: 'Deploy to which environment?', options: ['staging', 'production'], allowFreeText: false },
    });
    const card = await mount('preloop-approval-card', { approval: question });
    expect(textOf(query(card, 'h2'))).toBe('Question from agent');
    expect(textOf(query(card, '.question-text'))).toBe('Deploy to which environment?');
    expect(query(card, 'pre[part="arguments"]')).toBeNull();
    expect(query(card, 'textarea[name="answer"]'), 'no free text when the question does not allow it').toBeNull();
    expect(textOf(query(card, 'button[part="approve"]'))).toBe('Send answer');
    const requested: PreloopDecisionRequestedEvent[] = [];
    card.addEventListener('preloop-decision-requested', (event) => requested.push(event));

    // Sending needs an answer.
    query<HTMLButtonElement>(card, 'button[part="approve"]')!.click();
    await card.updateComplete;
    expect(requested).toHaveLength(0);
    expect(textOf(query(card, '[role="alert"]'))).toContain('Choose an answer');

    const options = queryAll<HTMLInputElement>(card, 'input[name="answer-option"]');
    expect(options.map((option) => option.value)).toEqual(['staging', 'production']);
    options[1]!.click();
    await card.updateComplete;
    expect(query(card, '[role="alert"]')).toBeNull();
    query<HTMLButtonElement>(card, 'button[part="approve"]')!.click();
    expect(requested.at(-1)).toMatchObject({ decision: 'approve', answer: 'production' });

    // Declining sends no answer.
    query<HTMLButtonElement>(card, 'button[part="deny"]')!.click();
    expect(requested.at(-1)).toMatchObject({ decision: 'deny', answer: null });
  });

  it('takes a free-text answer, which wins over an option picked before', async () => {
    const question = request({
      kind: 'question',
      tool: { name: 'ask_user', definitionHash: null },
      reason: null,
      question: { text: 'Which branch?', options: ['main', 'release'], allowFreeText: true },
    });
    const card = await mount('preloop-approval-card', { approval: question });
    const requested: PreloopDecisionRequestedEvent[] = [];
    card.addEventListener('preloop-decision-requested', (event) => requested.push(event));
    queryAll<HTMLInputElement>(card, 'input[name="answer-option"]')[0]!.click();
    type(query<HTMLTextAreaElement>(card, 'textarea[name="answer"]')!, '  hotfix/4821  ');
    await card.updateComplete;
    expect(queryAll<HTMLInputElement>(card, 'input[name="answer-option"]').some((option) => option.checked)).toBe(false);
    query<HTMLButtonElement>(card, 'button[part="approve"]')!.click();
    expect(requested.at(-1)).toMatchObject({ decision: 'approve', answer: 'hotfix/4821' });
  });

  it('shows the answer of an answered question', async () => {
    const card = await mount('preloop-approval-card', {
      approval: request({
        kind: 'question',
        status: 'approved',
        decidedAt: Date.now(),
        answer: 'staging',
        question: { text: 'Deploy where?', options: ['staging', 'production'], allowFreeText: false },
      }),
    });
    expect(textOf(query(card, '.outcome'))).toContain('Answer: staging');
  });

  it('is usable on a phone (screenshot in test-results/)', async () => {
    await page.viewport(390, 844);
    const card = await mount('preloop-approval-card', { approval: request() }, { theme: 'light' });
    document.body.style.margin = '12px';
    document.body.style.background = '#f5f6f8';
    const buttons = queryAll<HTMLButtonElement>(card, '.actions button');
    expect(buttons).toHaveLength(2);
    // Stacked, full width, at least 40 px tall: easy to hit with a thumb.
    const [deny, approve] = buttons.map((button) => button.getBoundingClientRect());
    expect(approve!.top).toBeGreaterThan(deny!.bottom - 1);
    expect(approve!.height).toBeGreaterThanOrEqual(40);
    expect(approve!.width).toBeGreaterThan(300);
    await page.screenshot({ path: '../../../../../test-results/approval-card-mobile.png', element: card });
    const question = await mount(
      'preloop-approval-card',
      {
        approval: request({
          kind: 'question',
          tool: { name: 'ask_user', definitionHash: null },
          reason: null,
          justification: null,
          question: {
            text: 'Which environment should I deploy v2.4 to?',
            options: ['staging', 'production', 'both, staging first'],
            allowFreeText: true,
          },
        }),
      },
      { theme: 'light' },
    );
    queryAll<HTMLInputElement>(question, 'input[name="answer-option"]')[0]!.click();
    await question.updateComplete;
    await page.screenshot({ path: '../../../../../test-results/approval-question-mobile.png', element: question });
    document.body.removeAttribute('style');
    await page.viewport(1280, 800);
  });
});
