/**
 * `<preloop-mcp-servers>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-mcp-servers';
 * document.querySelector('preloop-mcp-servers')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopMcpServers } from '../components/preloop-mcp-servers/preloop-mcp-servers.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopMcpServers, 'preloop-mcp-servers');

export { PreloopMcpServers };
export { PreloopClient } from '../client/preloop-client.js';
