import { describe, expect, it } from 'vitest';
import { parseAiReview } from './ai-review-prompt.js';
import { normalizeWorkflow } from './workflows.js';

describe('the AI reviewer', () => {
  it('accepts only the strict answer schema', () => {
    expect(parseAiReview('{"decision":"deny","confidence":0.91,"reasoning":"prod"}')).toEqual({
      ok: true,
      answer: { decision: 'deny', confidence: 0.91, reasoning: 'prod' },
    });
    expect(parseAiReview('Approve.')).toEqual({ ok: false, problem: 'the reply is not JSON' });
    expect(parseAiReview(null)).toEqual({ ok: false, problem: 'the reply has no text content' });
    expect(parseAiReview('{"decision":"maybe","confidence":0.9,"reasoning":"x"}')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('decision'),
    });
    expect(parseAiReview('{"decision":"approve","confidence":1.5,"reasoning":"x"}')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('confidence'),
    });
    expect(parseAiReview('{"decision":"approve","confidence":0.9,"reasoning":"x","extra":1}')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('does not match the schema'),
    });
    expect(parseAiReview('[{"decision":"approve","confidence":0.9,"reasoning":"x"}]')).toMatchObject({ ok: false });
  });

  it("fills in the workflow block's defaults and refuses a deciding fallback on an advising reviewer, naming the field", () => {
    const workflow = normalizeWorkflow(
      { approvers: { roles: ['admin'] }, aiReviewer: { model: 'reviewer', guidelines: 'Be careful.' } },
      'workflows.ai',
    );
    expect(workflow.aiReviewer).toEqual({
      model: 'reviewer',
      guidelines: 'Be careful.',
      mode: 'advise',
      threshold: 0.8,
      fallback: 'escalate',
      timeoutSeconds: 60,
    });
    expect(() =>
      normalizeWorkflow(
        { approvers: { roles: ['admin'] }, aiReviewer: { model: 'reviewer', guidelines: 'x', fallback: 'approve' } },
        'workflows.ai',
      ),
    ).toThrow(/workflows\.ai\.aiReviewer\.fallback an advising reviewer decides nothing/);
    expect(() =>
      normalizeWorkflow(
        { approvers: { roles: ['admin'] }, aiReviewer: { model: 'reviewer', guidelines: 'x', threshold: 2 } },
        'workflows.ai',
      ),
    ).toThrow(/aiReviewer\.threshold/);
  });
});
