/**
 * Runs axe-core inside the test page against mounted elements (their shadow
 * trees included) and returns the violations that matter: impact serious or critical.
 */
import axe from 'axe-core';

/** One serious or critical axe violation, with the nodes it was found on. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * The serious and critical axe violations in `context` (an element, or the whole document);
 * with `rules`, only those rules run and every violation of them counts, whatever its impact.
 *
 * @example
 * ```ts
 * expect(await axeViolations(element)).toEqual([]);
 * ```
 */
export async function axeViolations(context: Element | Document = document, options: { rules?: string[] } = {}): Promise<AxeFinding[]> {
  const results = await axe.run(context, {
    resultTypes: ['violations'],
    ...(options.rules ? { runOnly: { type: 'rule', values: options.rules } } : {}),
  });
  return results.violations
    .filter((violation) => options.rules || violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact!,
      help: violation.help,
      nodes: violation.nodes.map((node) =>
        `${JSON.stringify(node.target)} ${node.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`.slice(0, 300),
      ),
    }));
}
