import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyNotifierFailure,
  isNotifier,
  type ApprovalNotification,
  type Notifier,
  type NotifyReceipt,
} from '../contracts/notifier.js';
import { sampleApprovalNotification } from './sample-approval-notification.js';

/** One message as the channel's local server received it, decoded. */
export interface ReceivedNotifierMessage {
  /** `create` for a new message, `update` for an edit of an earlier one (Slack `chat.update`). */
  kind: 'create' | 'update';
  /** The idempotency key as it travelled on the wire (webhook id, Message-ID, metadata), or null when absent. */
  idempotencyKey: string | null;
  /** The channel's id of the message (for a `create`: the one it answered with; for an `update`: the one edited), or null. */
  messageRef: string | null;
  /** Everything a reader is shown, as text (subject and body, blocks as JSON…), decoded from the wire encoding. */
  content: string;
}

/** What a failure the channel's server can be told to answer with means. */
export type NotifierConformanceFailure =
  /** A transient failure (HTTP 503, SMTP 451, a dropped connection): the notifier must reject as retryable. */
  | 'retryable'
  /** A failure sending again cannot fix (unknown address, rejected content, revoked token): reject with `retryable: false`. */
  | 'permanent'
  /** A rate limit asking to wait 2 seconds (HTTP 429 `Retry-After: 2`, Slack `ratelimited`): retryable, `retryAfterMs` 2000. */
  | 'rate-limited'
  /** The server accepts the connection and never answers: the notifier must give up when its signal aborts. */
  | 'hang';

/** The channel's local server, speaking the channel's real wire protocol. */
export interface NotifierTestChannel {
  /** The messages accepted so far, in order (failed deliveries are not listed). */
  received(): ReceivedNotifierMessage[] | Promise<ReceivedNotifierMessage[]>;
  /** Makes the server answer the next delivery with this failure (once). */
  failNext(failure: NotifierConformanceFailure): void;
  /** Stops the server (after the suite). */
  close(): Promise<void>;
}

/** Options of {@link notifierConformance}. */
export interface NotifierConformanceOptions<C extends NotifierTestChannel> {
  /** Names the suite in the test report (for example the notifier and its audience). @default 'notifier' */
  name?: string;
  /** Starts the channel's local server (once per suite). */
  channel: () => Promise<C>;
  /** Creates the notifier under test, pointed at `channel`. */
  notifier: (channel: C) => Notifier | Promise<Notifier>;
  /** The notifier's own credentials (tokens, passwords, signing secrets): they must never appear in a message or an error. @default [] */
  secrets?: string[];
  /** Whether the server can answer `rate-limited` (the channel has a retry-after signal). @default true */
  rateLimits?: boolean;
  /**
   * What a message carries. `full`: everything a reader needs to decide (the
   * arguments, who asks, the reason, the links). `reference`: only the
   * request id and a short title naming the tool and the outcome, because the
   * channel is not trusted with the request (mobile push: the app fetches the
   * rest over the authenticated API); the suite then checks that no argument,
   * reason, justification, question or link travels. @default 'full'
   */
  content?: 'full' | 'reference';
  /** The approver of personal notifications (the channel's server must know the address, for example a Slack user's email). @default Ann Approver <ann.approver@example.com> */
  recipient?: NonNullable<ApprovalNotification['recipient']>;
  /** More checks of the channel, declared inside the suite. */
  additionalTests?: (context: NotifierConformanceContext<C>) => void;
}

/** What {@link NotifierConformanceOptions.additionalTests} can use (filled in `beforeAll`). */
export interface NotifierConformanceContext<C extends NotifierTestChannel> {
  channel: C;
  notifier: Notifier;
}

/**
 * The shared conformance suite of the notifier contract (version 1), run by
 * every notifier against a local server speaking its channel's wire protocol.
 * Call it at the top level of the notifier's test file; it declares its own
 * `describe`/`it` blocks (vitest). It checks the contract shape; that a
 * request, a question and a resolved notification are delivered with what a
 * message must show; that the idempotency key travels on the wire and stays
 * the same on a retry; that the notifier's credentials never appear in a
 * message or an error; that failures are classified (retryable, permanent,
 * rate-limited with `retryAfterMs`); that an aborted attempt gives up; that
 * `update`, when present, edits the message `notify` sent; and that the
 * notification is left unchanged.
 *
 * @example
 * ```ts
 * import { notifierConformance } from '@preloop/core/testing';
 *
 * notifierConformance({
 *   channel: () => startFakeSlack(),
 *   notifier: (slack) => createSlackNotifier({ token: 'xoxb-test', apiUrl: slack.url }),
 *   secrets: ['xoxb-test'],
 * });
 * ```
 */
export function notifierConformance<C extends NotifierTestChannel>(options: NotifierConformanceOptions<C>): void {
  const context = {} as NotifierConformanceContext<C>;
  const secrets = options.secrets ?? [];
  const recipient = options.recipient ?? { userId: 'usr_conformance_ann', name: 'Ann Approver', email: 'ann.approver@example.com' };

  /** A notification for the notifier's audience. */
  const notification = (overrides: Parameters<typeof sampleApprovalNotification>[0] = {}) =>
    sampleApprovalNotification({ recipient: (context.notifier.audience ?? 'approvers') === 'channel' ? null : recipient, ...overrides });
  const attempt = (number = 1, signal = new AbortController().signal) => ({ attempt: number, signal });

  /** Runs `action`, then returns the messages the channel accepted meanwhile. */
  async function delivered<T>(action: () => Promise<T>): Promise<{ result: T; messages: ReceivedNotifierMessage[] }> {
    const before = (await context.channel.received()).length;
    const result = await action();
    const messages = (await context.channel.received()).slice(before);
    return { result, messages };
  }

  async function failure(action: () => Promise<unknown>): Promise<unknown> {
    const outcome = await action().then(
      () => ({ rejected: false as const, error: null }),
      (error: unknown) => ({ rejected: true as const, error }),
    );
    expect(outcome.rejected, 'notify must reject when the channel did not accept the message').toBe(true);
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    for (const secret of secrets) expect(message).not.toContain(secret);
    return outcome.error;
  }

  const reference = options.content === 'reference';

  /** A reference message names the request and the tool and nothing a reader could act on without the API. */
  function expectReference(message: ReceivedNotifierMessage, sent: ApprovalNotification) {
    const { request } = sent;
    expect(message.content).toContain(request.id);
    expect(message.content).toContain(request.tool.name);
    const hidden = [request.reason, request.justification, request.question?.text, ...(request.question?.options ?? [])];
    for (const text of hidden) if (text) expect(message.content).not.toContain(text);
    for (const value of Object.values(request.args)) if (typeof value === 'string') expect(message.content).not.toContain(value);
    for (const link of [sent.links.approve, sent.links.deny, sent.links.view]) if (link) expect(message.content).not.toContain(link);
    for (const secret of secrets) expect(message.content).not.toContain(secret);
  }

  function expectShown(message: ReceivedNotifierMessage, sent: ApprovalNotification) {
    if (reference) return expectReference(message, sent);
    const { request } = sent;
    expect(message.content).toContain(request.tool.name);
    expect(message.content).toContain(request.subject.name);
    if (request.reason) expect(message.content).toContain(request.reason);
    if (request.justification) expect(message.content).toContain(request.justification);
    for (const link of [sent.links.approve, sent.links.deny, sent.links.view]) if (link) expect(message.content).toContain(link);
    for (const secret of secrets) expect(message.content).not.toContain(secret);
  }

  describe(`${options.name ?? 'notifier'} conforms to the notifier contract version 1`, () => {
    beforeAll(async () => {
      context.channel = await options.channel();
      context.notifier = await options.notifier(context.channel);
    });
    afterAll(async () => {
      await context.channel?.close();
    });

    it('has the contract shape', () => {
      expect(isNotifier(context.notifier)).toBe(true);
      expect(context.notifier.id).toMatch(/^[a-z0-9][a-z0-9_.-]*$/);
    });

    it('delivers a request with the tool, who asks, the reason, the justification and every link, under the idempotency key', async () => {
      const sent = notification();
      const { result, messages } = await delivered(() => context.notifier.notify(sent, attempt()));
      expect(messages).toHaveLength(1);
      expect(messages[0]!.kind).toBe('create');
      expect(messages[0]!.idempotencyKey).toBe(sent.id);
      expectShown(messages[0]!, sent);
      const receipt = result as NotifyReceipt | undefined;
      if (receipt?.messageRef != null) expect(receipt.messageRef.length).toBeLessThanOrEqual(1000);
    });

    it('shows the arguments as given (redacted) and never the notifier’s credentials', async () => {
      const sent = notification();
      const { messages } = await delivered(() => context.notifier.notify(sent, attempt()));
      if (reference) return void expectReference(messages[0]!, sent);
      expect(messages[0]!.content).toContain('production');
      expect(messages[0]!.content).toContain('[redacted');
      for (const secret of secrets) expect(JSON.stringify(messages)).not.toContain(secret);
    });

    it('delivers a question with its text and options', async () => {
      const sent = notification({
        request: {
          kind: 'question',
          question: { text: 'Which region should take the traffic?', options: ['eu-west-1', 'us-east-2'], allowFreeText: false },
        },
      });
      const { messages } = await delivered(() => context.notifier.notify(sent, attempt()));
      expect(messages).toHaveLength(1);
      if (reference) return void expectReference(messages[0]!, sent);
      for (const text of ['Which region should take the traffic?', 'eu-west-1', 'us-east-2']) expect(messages[0]!.content).toContain(text);
    });

    it('delivers a request with arguments near the 64 KB bound (cut to the channel’s limit if it has one)', async () => {
      const sent = notification({ request: { args: { script: `echo ${'x'.repeat(60_000)}`, env: 'production' } } });
      const { messages } = await delivered(() => context.notifier.notify(sent, attempt()));
      expect(messages).toHaveLength(1);
      expect(messages[0]!.content).toContain(sent.request.tool.name);
    });

    it('delivers the resolved notice with the outcome (as an edit when the notifier has update)', async () => {
      const requested = notification();
      const first = await delivered(() => context.notifier.notify(requested, attempt()));
      const receipt = first.result as NotifyReceipt | undefined;
      const resolved = notification({
        type: 'approval.resolved',
        request: { status: 'denied', decidedAt: Date.UTC(2026, 0, 15, 9, 35), votes: { approve: 0, deny: 1 } },
      });
      expect(resolved.links.approve).toBeNull();
      if (context.notifier.update) {
        expect(receipt?.messageRef, 'a notifier with update returns the messageRef of what notify sent').toEqual(expect.any(String));
        const { messages } = await delivered(() =>
          context.notifier.update!(resolved, { ...attempt(), messageRef: receipt!.messageRef!, previousId: requested.id }),
        );
        expect(messages).toHaveLength(1);
        expect(messages[0]!.kind).toBe('update');
        expect(messages[0]!.messageRef).toBe(first.messages[0]!.messageRef);
        expect(messages[0]!.content).toContain('denied');
      } else {
        const { messages } = await delivered(() => context.notifier.notify(resolved, attempt()));
        expect(messages).toHaveLength(1);
        expect(messages[0]!.idempotencyKey).toBe(resolved.id);
        expect(messages[0]!.content).toContain('denied');
        expect(messages[0]!.content).toContain(resolved.request.tool.name);
      }
    });

    it('rejects a transient failure as retryable, and the retry carries the same idempotency key', async () => {
      const sent = notification();
      context.channel.failNext('retryable');
      const { result: error, messages: none } = await delivered(() => failure(() => context.notifier.notify(sent, attempt(1))));
      expect(none).toHaveLength(0);
      expect(classifyNotifierFailure(error).retryable).toBe(true);
      const { messages } = await delivered(() => context.notifier.notify(sent, attempt(2)));
      expect(messages).toHaveLength(1);
      expect(messages[0]!.idempotencyKey).toBe(sent.id);
    });

    it('rejects a permanent failure with retryable: false', async () => {
      context.channel.failNext('permanent');
      const { result: error, messages } = await delivered(() => failure(() => context.notifier.notify(notification(), attempt())));
      expect(messages).toHaveLength(0);
      expect(classifyNotifierFailure(error).retryable).toBe(false);
    });

    if (options.rateLimits !== false) {
      it('rejects a rate limit as retryable with the channel’s retryAfterMs', async () => {
        context.channel.failNext('rate-limited');
        const error = await failure(() => context.notifier.notify(notification(), attempt()));
        expect(classifyNotifierFailure(error)).toEqual({ retryable: true, retryAfterMs: 2000 });
      });
    }

    it('gives up when its signal aborts while the channel does not answer', async () => {
      context.channel.failNext('hang');
      const controller = new AbortController();
      const pending = failure(() => context.notifier.notify(notification(), attempt(1, controller.signal)));
      setTimeout(() => controller.abort(new Error('The attempt timed out.')), 50);
      expect(classifyNotifierFailure(await pending).retryable).toBe(true);
    });

    it('shows every request of a digest when it declares digests, with each one’s links', async () => {
      if (!context.notifier.digests) return void expect(context.notifier.digests ?? false).toBe(false);
      const items = ['deploy_api', 'drop_table', 'rotate_keys'].map((name, index) =>
        notification({ request: { id: `apr_conformance_digest_${index}`, tool: { name, definitionHash: null } } }),
      );
      const sent = { ...items[0]!, digest: { items: items.map((item) => ({ request: item.request, links: item.links })), total: 7 } };
      const { messages } = await delivered(() => context.notifier.notify(sent, attempt()));
      expect(messages).toHaveLength(1);
      expect(messages[0]!.idempotencyKey).toBe(sent.id);
      for (const item of items) {
        expect(messages[0]!.content).toContain(item.request.tool.name);
        for (const link of [item.links.approve, item.links.view]) if (link) expect(messages[0]!.content).toContain(link);
      }
      expect(messages[0]!.content).toContain('7');
    });

    it('leaves the notification unchanged', async () => {
      const sent = notification();
      const snapshot = structuredClone(sent);
      await context.notifier.notify(sent, attempt());
      expect(sent).toEqual(snapshot);
    });

    options.additionalTests?.(context);
  });
}
