#!/usr/bin/env node
// A tiny CLI agent for the flows tests: reads its prompt from stdin, asks the model through the
// official OpenAI SDK with the base URL and key from its environment, and prints the answer.
// FAKE_AGENT_MODE=spend keeps running after the model call; FAKE_AGENT_MODE=list-tools prints the names tools/list shows it (then calls FAKE_AGENT_CALL); FAKE_AGENT_MODE=hang starts a grandchild (its pid written to FAKE_AGENT_PID_FILE) and waits forever.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

let prompt = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) prompt += chunk;

if (process.env.FAKE_AGENT_MODE === 'list-tools') {
  // Lists the MCP endpoint's tools with the official SDK client and the run's credential; prints their names.
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'fake-cli-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(process.env.PRELOOP_MCP_URL), {
    requestInit: { headers: { authorization: `Bearer ${process.env.PRELOOP_TOKEN}` } },
  });
  await client.connect(transport);
  const { tools } = await client.listTools();
  console.log(
    `tools: ${tools
      .map((tool) => tool.name)
      .sort()
      .join(',')}`,
  );
  // FAKE_AGENT_CALL: then calls that tool anyway (a hidden tool) and prints what it answered.
  if (process.env.FAKE_AGENT_CALL) {
    const result = await client.callTool({ name: process.env.FAKE_AGENT_CALL, arguments: { to: 'a@example.com', subject: 'Hi' } });
    console.log(`${result.isError ? 'error' : 'ok'}: ${result.content?.[0]?.text}`);
  }
  await client.close();
} else if (process.env.FAKE_AGENT_MODE === 'hang') {
  // Output first: the tests stop the agent as soon as the pid file exists.
  console.log(`working on: ${prompt}`);
  console.error('this will take a while');
  const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(process.env.FAKE_AGENT_PID_FILE, String(grandchild.pid));
  setInterval(() => {}, 1000);
} else {
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
  const completion = await client.chat.completions.create({
    model: process.env.FAKE_AGENT_MODEL ?? process.env.PRELOOP_MODEL,
    messages: [{ role: 'user', content: prompt }],
  });
  console.log(`home=${process.env.HOME === process.cwd() ? 'cwd' : 'own'} secret=${process.env.PRELOOP_SECRET_KEY ?? 'absent'}`);
  console.log(completion.choices[0].message.content);
  // FAKE_AGENT_MODE=spend: keeps working after its model call (until stopped).
  if (process.env.FAKE_AGENT_MODE === 'spend') setInterval(() => {}, 1000);
}
