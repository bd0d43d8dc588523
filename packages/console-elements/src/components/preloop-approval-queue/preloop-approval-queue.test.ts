import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { PreloopApprovalDecidedEvent } from '../../events/preloop-events.js';
import {
  clickButton,
  mount,
  ownerClient,
  query,
  queryAll,
  seed,
  textOf,
  type,
  unmountAll,
  viewerClient,
  waitFor,
} from '../../../test/browser-helpers.js';

afterEach(unmountAll);

function cardFor(queue: HTMLElement, tool: string) {
  return queryAll(queue, 'preloop-approval-card').find((card) => textOf(query(card, 'h2')) === tool);
}

function questionCard(queue: HTMLElement, text: string) {
  return queryAll(queue, 'preloop-approval-card').find((card) => textOf(query(card, '.question-text')) === text);
}

describe('<preloop-approval-queue>', () => {
  it('shows a new pending approval without a reload, and approving it there resolves the waiting tool call', async () => {
    const queue = await mount('preloop-approval-queue', { client: ownerClient() });
    await waitFor(() => queue.shadowRoot!.querySelector('.list, .empty'));
    expect(cardFor(queue, 'github.create_issue')).toBeUndefined();

    // An agent calls a tool through the MCP endpoint; the default policy makes the call wait for approval.
    const call = await commands.callTool('github.create_issue', {
      repo: 'acme/checkout',
      title: 'Flaky test in cart spec',
      body: 'Seen 3 times today',
    });
    const card = await waitFor(() => cardFor(queue, 'github.create_issue'), { message: 'the new request appears live' });
    expect(textOf(query(card, 'pre[part="arguments"]'))).toContain('"title": "Flaky test in cart spec"');
    expect(textOf(card)).toContain('by Release notes for v2.4 (runtime session)');
    expect(textOf(card)).toContain(`session ${seed.sessions.mcp.slice(0, 9)}`);
    expect(textOf(query(card, '[role="timer"]'))).toMatch(/\d:\d\d/);

    const decided = new Promise<PreloopApprovalDecidedEvent>((resolve) =>
      queue.addEventListener('preloop-approval-decided', resolve, { once: true }),
    );
    type(query<HTMLTextAreaElement>(card, 'textarea[name="comment"]')!, 'Go ahead');
    query<HTMLButtonElement>(card, 'button[part="approve"]')!.click();
    expect((await decided).approval.status).toBe('approved');

    const result = await commands.toolResult(call);
    expect(result).toEqual({ isError: false, text: 'created issue "Flaky test in cart spec" in acme/checkout' });
    await waitFor(() => !cardFor(queue, 'github.create_issue'), { message: 'the decided request leaves the queue' });

    // The history view has it, approved, with the comment.
    query<HTMLButtonElement>(queue, 'button[role="tab"]:nth-of-type(2)')!.click();
    const row = await waitFor(() =>
      queryAll(queue, 'tr[data-id]').find(
        (candidate) => textOf(candidate).includes('github.create_issue') && textOf(candidate).includes('Go ahead'),
      ),
    );
    expect(textOf(row)).toMatch(/approved|executed/);
  });

  it('denies with a comment: the waiting call gets the refusal', async () => {
    const queue = await mount('preloop-approval-queue', { client: ownerClient() });
    const call = await commands.callTool('github.merge_pull_request', { repo: 'acme/checkout', number: 7 });
    const card = await waitFor(() => cardFor(queue, 'github.merge_pull_request'));
    type(query<HTMLTextAreaElement>(card, 'textarea[name="comment"]')!, 'Not during the freeze');
    query<HTMLButtonElement>(card, 'button[part="deny"]')!.click();
    const result = await commands.toolResult(call);
    expect(result.isError).toBe(true);
    expect(result.text.toLowerCase()).toContain('denied');
    await waitFor(() => !cardFor(queue, 'github.merge_pull_request'));
  });

  it('answers an agent’s ask_user question with one of its options: the agent gets the answer', async () => {
    const queue = await mount('preloop-approval-queue', { client: ownerClient() });
    const call = await commands.callTool('ask_user', {
      question: 'Which environment should I deploy v2.4 to?',
      options: ['staging', 'production'],
      allow_free_text: false,
    });
    const card = await waitFor(() => questionCard(queue, 'Which environment should I deploy v2.4 to?'), {
      message: 'the question appears live',
    });
    expect(textOf(query(card, 'h2'))).toBe('Question from agent');
    queryAll<HTMLInputElement>(card, 'input[name="answer-option"]')
      .find((option) => option.value === 'staging')!
      .click();
    clickButton(card, 'Send answer');
    expect(await commands.toolResult(call)).toEqual({ isError: false, text: 'staging' });
    await waitFor(() => !questionCard(queue, 'Which environment should I deploy v2.4 to?'), {
      message: 'the answered question leaves the queue',
    });

    query<HTMLButtonElement>(queue, 'button[role="tab"]:nth-of-type(2)')!.click();
    const row = await waitFor(() => queryAll(queue, 'tr[data-id]').find((candidate) => textOf(candidate).includes('ask_user')));
    expect(textOf(row)).toContain('Answer: “staging”');
  });

  it('answers a question in free text, and declining one tells the agent', async () => {
    const queue = await mount('preloop-approval-queue', { client: ownerClient() });
    const named = await commands.callTool('ask_user', { question: 'What should the release be called?' });
    const card = await waitFor(() => questionCard(queue, 'What should the release be called?'));
    expect(query(card, 'input[name="answer-option"]')).toBeNull();
    type(query<HTMLTextAreaElement>(card, 'textarea[name="answer"]')!, 'Aurora');
    clickButton(card, 'Send answer');
    expect(await commands.toolResult(named)).toEqual({ isError: false, text: 'Aurora' });

    const declined = await commands.callTool('ask_user', {
      question: 'May I rotate the production database password?',
      options: ['yes', 'no'],
    });
    const second = await waitFor(() => questionCard(queue, 'May I rotate the production database password?'));
    type(query<HTMLTextAreaElement>(second, 'textarea[name="comment"]')!, 'Ask the DBA on call');
    clickButton(second, 'Decline to answer');
    const result = await commands.toolResult(declined);
    expect(result.text.toLowerCase()).toContain('denied');
    expect(result.text).toContain('Ask the DBA on call');
  });

  it('opens one request with its timeline (the page a notification links to), and shows refusals', async () => {
    const call = await commands.callTool('github.create_issue', { repo: 'acme/web', title: 'One request page' });
    const pending = await waitFor(async () =>
      (await ownerClient().approvals.list({ status: 'pending' })).items.find((item) => item.args.title === 'One request page'),
    );
    // A viewer may look but not decide: the server refuses and the card says so.
    const readOnly = await mount('preloop-approval-queue', { client: viewerClient() }, { 'request-id': pending.id });
    const viewerCard = await waitFor(() => query(readOnly, 'preloop-approval-card'));
    // The server says why (viewer.reason), before any click.
    await waitFor(() => textOf(query(viewerCard, '[part="decide-note"]')).includes('Your role cannot decide approvals'), {
      message: 'viewers read why they cannot decide',
    });
    expect(query(viewerCard, 'button[part="approve"]')).toBeNull();
    readOnly.remove();

    const single = await mount('preloop-approval-queue', { client: ownerClient() }, { 'request-id': pending.id });
    const card = await waitFor(() => query(single, 'preloop-approval-card'));
    await waitFor(() => textOf(query(card, '.timeline')).includes('requested'));
    query<HTMLButtonElement>(card, 'button[part="approve"]')!.click();
    await waitFor(() => textOf(card).includes('Approved') || textOf(card).includes('Executed'));
    expect((await commands.toolResult(call)).isError).toBe(false);
  });

  it('lists an approved call whose instance died (outcome unknown) and lets an admin record that it did not run', async () => {
    const id = await commands.strandExecution('github.create_issue', { repo: 'acme/ops', title: 'Stranded by a crash' });
    const queue = await mount('preloop-approval-queue', { client: ownerClient() });
    const row = await waitFor(() => query(queue, `[part="unknown"] tr[data-id="${id}"]`), {
      message: 'the unknown outcome is listed above the pending cards',
    });
    expect(textOf(row)).toContain('github.create_issue');
    queue.remove();

    // A viewer sees the state but cannot resolve it.
    const readOnly = await mount('preloop-approval-queue', { client: viewerClient() }, { 'request-id': id });
    const readOnlyPanel = await waitFor(() => query(readOnly, '[part="resolve"]'));
    expect(textOf(await waitFor(() => query(readOnly, 'preloop-approval-card')))).toContain('Outcome unknown');
    await waitFor(() => textOf(readOnlyPanel).includes('An owner or admin can record the outcome.'));
    expect(query(readOnlyPanel, 'button')).toBeNull();
    readOnly.remove();

    const single = await mount('preloop-approval-queue', { client: ownerClient() }, { 'request-id': id });
    const panel = await waitFor(() => query(single, '[part="resolve"] textarea') && query(single, '[part="resolve"]'));
    query<HTMLButtonElement>(panel, 'button[part="resolve-not-executed"]')!.click();
    await waitFor(() => textOf(query(single, '[part="resolve"] [role="alert"]')).includes('Say what you checked'));
    type(query<HTMLTextAreaElement>(panel, 'textarea[name="resolution-note"]')!, 'No such issue in acme/ops');
    query<HTMLButtonElement>(panel, 'button[part="resolve-not-executed"]')!.click();
    await waitFor(() => query(single, '[part="resolve"]') === null, { message: 'the panel goes once resolved' });
    const detail = await ownerClient().approvals.get(id);
    expect(detail.status).toBe('approved');
    expect(detail.timeline.at(-1)).toMatchObject({
      type: 'execution_resolved',
      data: { resolution: 'not_executed', note: 'No such issue in acme/ops' },
    });
  });
});
