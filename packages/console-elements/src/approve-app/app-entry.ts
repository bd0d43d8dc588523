/**
 * The approval app's browser entry (what `createApproveAppHandler()` serves as its
 * script): registers `<preloop-approve-app>` and the two elements it renders,
 * and the app's service worker (offline shell, notifications).
 *
 * @packageDocumentation
 */
import { PreloopApprovalCard } from '../components/preloop-approval-card/preloop-approval-card.js';
import { PreloopApproveApp } from '../components/preloop-approve-app/preloop-approve-app.js';
import { PreloopLogin } from '../components/preloop-login/preloop-login.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopApprovalCard, 'preloop-approval-card');
elementTag(PreloopLogin, 'preloop-login');
elementTag(PreloopApproveApp, 'preloop-approve-app');

// Installed on the first visit, paired or not: the app then opens offline and is installable.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
