/**
 * The approval app's browser entry (what `createApproveAppHandler()` serves as its
 * script): registers `<preloop-approve-app>` and the two elements it renders,
 * and the app's service worker (offline shell, notifications).
 *
 * @packageDocumentation
 */
import '../elements/preloop-approve-app.js';

// Installed on the first visit, paired or not: the app then opens offline and is installable.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
