import { parsePolicyDocument } from './policy-document.js';
const t = (s: string, f?: 'json') => { try { console.log(JSON.stringify(parsePolicyDocument(s, f))); } catch (e: any) { console.log(e.message, JSON.stringify(e.details)); } };
t(`version: 1
defaults:
  tools: allow
rules:
  - tool: "github.*"
    action: deny
  - tool: x
    action: allow
    conditon: "1"
  - tool: y
    action: require_approval
    workflow: ops
    condition: args.x ==
scopes:
  - subject: { apiKey: k1, agent: a }
  - subject: { team: t }
    rules:
      - tool: "a b"
        action: allow
`);
t('version: 1\na: 1\na: 2\n');
t('{"version": 1, "version": 1}', 'json');
t('{"version": 1,}', 'json');
t('version: 1\n');
t('version: 1\ndefaults: {tools: allow}\nrules: [{tool: "*", action: deny, condition: "args.x + 1"}]\n');
t('version: 1\ndefaults: {tools: allow}\nworkflows: { constructor: {approvers: {}} , ok: {approvers: {users: [a]}, quorum: 2, escalation: {afterSeconds: 400, approvers: {roles: [admin]}}}}\nrules: [{tool: "*", action: require_approval, workflow: toString}]\n');
t('- a\n- b');
t('x: !!js/function "a"\nversion: 1');
