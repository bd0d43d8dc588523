import { randomBytes } from 'node:crypto';
import type { ApprovalRequestView } from '@preloop/core';
import type { ApprovalDecision } from './decide.js';

/**
 * Escapes text for HTML content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
}

/** What the confirm page shows. */
export interface ConfirmPageInput {
  request: ApprovalRequestView;
  /** The link's token, echoed in a hidden field so the POST carries it in its body. */
  token: string;
  /** The decision preselected by `?decision=`. */
  preselected: ApprovalDecision | null;
  /** The only decision the link allows, if bound. */
  allowed: ApprovalDecision | null;
  approverName: string;
}

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
pre{background:#f2f4f7;padding:.75rem;border-radius:6px;overflow:auto;white-space:pre-wrap;word-break:break-word}
dt{font-weight:600;margin-top:.5rem}dd{margin:0}textarea{width:100%;min-height:4rem}
button{font:inherit;padding:.5rem 1.25rem;margin:.75rem .5rem 0 0;border-radius:6px;border:1px solid #888;cursor:pointer}
button.approve{background:#1a7f37;color:#fff}button.deny{background:#cf222e;color:#fff}button.selected{outline:3px solid #0969da}
.note{color:#57606a;font-size:.9em}.result{font-weight:600;margin-top:1rem}`;

const script = `const form=document.getElementById('decide');const out=document.getElementById('result');
form.addEventListener('submit',async(event)=>{event.preventDefault();const data=new FormData(form);
const decision=event.submitter&&event.submitter.value;const answer=data.get('answer');
for(const b of form.querySelectorAll('button'))b.disabled=true;out.textContent='Sending…';
try{const response=await fetch(location.pathname,{method:'POST',credentials:'omit',headers:{'content-type':'application/json'},
body:JSON.stringify({token:data.get('token'),decision,comment:data.get('comment')||undefined,answer:answer||undefined})});
const body=await response.json().catch(()=>({}));
if(response.ok){out.textContent=body.request&&body.request.status==='pending'?'Your vote was recorded; more approvals are needed.':'Done: the request is '+(body.request?body.request.status:'decided')+'. You can close this page.';}
else{out.textContent=(body.error&&body.error.message)||('Refused ('+response.status+').');}}
catch(error){out.textContent='Could not reach the server: '+error.message;for(const b of form.querySelectorAll('button'))b.disabled=false;}});`;

/**
 * The headers of every decision-link page: no caching, no referrer (the token
 * is in the URL), no framing, no indexing, and a CSP that only allows the
 * page's own nonce'd style and script.
 *
 * @example
 * ```ts
 * new Response(html, { headers: pageHeaders(nonce) });
 * ```
 */
export function pageHeaders(nonce: string): Headers {
  return new Headers({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'x-robots-tag': 'noindex, nofollow',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  });
}

function page(title: string, body: string, nonce: string, withScript: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${style}</style></head><body>
${body}
${withScript ? `<script nonce="${nonce}">${script}</script>` : ''}
</body></html>`;
}

/**
 * Renders the confirm page of a decision link. Showing it changes nothing;
 * only the POST it makes decides.
 *
 * @example
 * ```ts
 * const response = confirmPage({ request, token, preselected: 'approve', allowed: null, approverName: 'Ada' });
 * ```
 */
export function confirmPage(input: ConfirmPageInput, status = 200): Response {
  const nonce = randomBytes(16).toString('base64');
  const { request } = input;
  const pending = request.status === 'pending';
  const decisions: ApprovalDecision[] = input.allowed ? [input.allowed] : ['approve', 'deny'];
  const button = (decision: ApprovalDecision) =>
    `<button type="submit" name="decision" value="${decision}" class="${decision}${input.preselected === decision ? ' selected' : ''}">${decision === 'approve' ? (request.kind === 'question' ? 'Answer' : 'Approve') : request.kind === 'question' ? 'Decline' : 'Deny'}</button>`;
  const question = request.question
    ? `<dt>Question</dt><dd>${escapeHtml(request.question.text)}</dd>${
        request.question.options.length
          ? `<dd>${request.question.options.map((option, index) => `<label><input type="radio" name="answer" value="${escapeHtml(option)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(option)}</label>`).join('<br>')}</dd>`
          : ''
      }${request.question.allowFreeText ? `<dd><label>Answer <input type="text" name="answer" maxlength="4000"></label></dd>` : ''}`
    : '';
  const body = `<h1>${request.kind === 'question' ? 'A question from an agent' : 'Approval request'}</h1>
<p class="note">For ${escapeHtml(input.approverName)}. Opening this page changes nothing; only the buttons below decide.</p>
<dl>
<dt>Tool</dt><dd><code>${escapeHtml(request.tool.name)}</code></dd>
<dt>Requested by</dt><dd>${escapeHtml(request.subject.name)} (${escapeHtml(request.subject.type)})</dd>
${request.reason ? `<dt>Why approval is needed</dt><dd>${escapeHtml(request.reason)}</dd>` : ''}
${request.justification ? `<dt>The agent says (unverified)</dt><dd>${escapeHtml(request.justification)}</dd>` : ''}
<dt>Arguments</dt><dd><pre>${escapeHtml(JSON.stringify(request.args, null, 2))}</pre>${
    request.argsRedactions.length > 0
      ? `<p class="note">Secrets are hidden and long values cut here. The exact arguments (SHA-256 <code>${escapeHtml(request.argsHash)}</code>) can be read by an approver of this request or an admin in the console.</p>`
      : ''
  }</dd>
${question}
<dt>Status</dt><dd>${escapeHtml(request.status)} · ${request.votes.approve} of ${request.workflow.quorum} approvals · deadline ${escapeHtml(new Date(request.expiresAt).toISOString())}</dd>
</dl>
${
  pending
    ? `<form id="decide" method="post">
<input type="hidden" name="token" value="${escapeHtml(input.token)}">
<label>Comment${request.workflow.requireReason ? ' (required)' : ''}<br><textarea name="comment" maxlength="4000"${request.workflow.requireReason ? ' required' : ''}></textarea></label><br>
${decisions.map(button).join('')}
</form><p id="result" class="result" role="status"></p>`
    : `<p class="result">This request is ${escapeHtml(request.status)}; there is nothing left to decide.</p>`
}`;
  return new Response(page('Approval request', body, nonce, pending), { status, headers: pageHeaders(nonce) });
}

/**
 * Renders the page shown after a decision posted by a plain HTML form (no JavaScript).
 *
 * @example
 * ```ts
 * return resultPage('Done: the request is approved. You can close this page.');
 * ```
 */
export function resultPage(message: string): Response {
  const nonce = randomBytes(16).toString('base64');
  return new Response(page('Decision recorded', `<h1>Decision recorded</h1><p class="result">${escapeHtml(message)}</p>`, nonce, false), {
    status: 200,
    headers: pageHeaders(nonce),
  });
}

/**
 * Renders the page shown for a link that cannot be used, or a refused decision.
 *
 * @example
 * ```ts
 * return errorPage(410, 'This link was already used.');
 * ```
 */
export function errorPage(status: number, message: string): Response {
  const nonce = randomBytes(16).toString('base64');
  return new Response(page('Decision link', `<h1>Decision link</h1><p>${escapeHtml(message)}</p>`, nonce, false), {
    status,
    headers: pageHeaders(nonce),
  });
}
