/**
 * `<preloop-usage-chart>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-usage-chart';
 * document.querySelector('preloop-usage-chart')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopUsageChart } from '../components/preloop-usage-chart/preloop-usage-chart.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopUsageChart, 'preloop-usage-chart');

export { PreloopUsageChart };
export { PreloopClient } from '../client/preloop-client.js';
