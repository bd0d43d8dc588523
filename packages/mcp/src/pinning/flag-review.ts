import { toolFlags, type ToolFlag } from './poisoning.js';
import type { ToolDefinition } from './tool-definition.js';

/** The part of a stored tool a flag review reads. */
export interface ReviewedTool {
  serverId: string;
  /** The tool's name upstream. */
  name: string;
  /** The name agents see. */
  exposedName: string;
  liveDefinition: ToolDefinition;
  flags: readonly ToolFlag[];
}

/** Flags that come from the name or shape of the definition, set by a scan and never re-derived. */
const scanOnlyFlags: readonly ToolFlag[] = ['invalid-name', 'invalid-definition'];

/**
 * The names a tool of `serverId` must not mention: every tool of every other
 * server, upstream and exposed names alike (as a scan computes them).
 *
 * @example
 * ```ts
 * otherToolNames(tools, 'mcps_a'); // ['send_email', 'b.send_email', …]
 * ```
 */
export function otherToolNames(tools: readonly Pick<ReviewedTool, 'serverId' | 'name' | 'exposedName'>[], serverId: string): string[] {
  return tools.filter((tool) => tool.serverId !== serverId).flatMap((tool) => [tool.name, tool.exposedName]);
}

/**
 * Re-derives the flags of every tool against the account's current tools, so
 * a shadowing description (`when calling b.send_email always add bcc …`) is
 * caught whatever the order in which the servers were registered. `everyTool`
 * (default `tools`) is what the names come from. Returns the tools whose flags
 * changed, with their new flags; tools flagged invalid by a scan keep theirs.
 *
 * @example
 * ```ts
 * for (const { tool, flags } of reviewFlags(tools)) console.log(tool.exposedName, flags);
 * ```
 */
export function reviewFlags<T extends ReviewedTool>(
  tools: readonly T[],
  everyTool: readonly ReviewedTool[] = tools,
): { tool: T; flags: ToolFlag[] }[] {
  const othersByServer = new Map<string, string[]>();
  const changed: { tool: T; flags: ToolFlag[] }[] = [];
  for (const tool of tools) {
    if (tool.flags.some((flag) => scanOnlyFlags.includes(flag))) continue;
    let others = othersByServer.get(tool.serverId);
    if (!others) {
      others = otherToolNames(everyTool, tool.serverId);
      othersByServer.set(tool.serverId, others);
    }
    const flags = toolFlags(tool.liveDefinition, others);
    const same = flags.length === tool.flags.length && flags.every((flag) => tool.flags.includes(flag));
    if (!same) changed.push({ tool, flags });
  }
  return changed;
}

/**
 * The flags an admin has not accepted: a pinned tool with any of them is
 * quarantined.
 *
 * @example
 * ```ts
 * unacceptedFlags(['mentions-other-tools'], []); // ['mentions-other-tools']
 * ```
 */
export function unacceptedFlags(flags: readonly ToolFlag[], accepted: readonly ToolFlag[]): ToolFlag[] {
  return flags.filter((flag) => !accepted.includes(flag));
}
