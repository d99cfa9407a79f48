/**
 * `npm run bench -- inquiry`: the wall time of one customer inquiry (examples/customer-inquiry) with every model call
 * answered after 300 ms and every outside system after 50 ms, beside its critical path: the sum of the calls that
 * cannot overlap. Stages that do not depend on each other (the photo inspection and the customer and CRM lookups; the
 * researchers' plan steps) run at once, so the run should take little more than that path. The person's approval is
 * given at once and is not counted.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadProject, PACKAGE_ROOT } from '../src/config/load.js';
import { readAttachments } from '../src/runtime/attachments.js';
import { openRuntime } from '../src/runtime/open.js';
import { decideRun, resumeRun, runGoal } from '../src/runtime/run.js';
import { SecretStore } from '../src/secrets/store.js';
import { roleOf, shopModels, type ChatReply, type Role } from './inquiry-script.js';

const MODEL_MS = 300;
const SYSTEM_MS = 50;
const RUNS = 3;

interface FakeSystems {
  startCrm(options: { delayMs: number }): Promise<{ url: string; close(): Promise<void> }>;
  startErp(options: { delayMs: number }): Promise<{ url: string; close(): Promise<void> }>;
  startWebhooks(options: { delayMs: number }): Promise<{ url: string; slackUrl: string; teamsUrl: string; messages: unknown[]; close(): Promise<void> }>;
  buildCustomerDb(file: string): string;
  DEFAULT_CRM_TOKEN: string;
  DEFAULT_ERP_KEY: string;
}

export interface InquiryBenchReport {
  runs: number;
  wallMs: number[];
  criticalPathMs: number;
  calls: Record<string, number>;
}

function openAiReply(reply: ChatReply, model: string): unknown {
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({ id: `call_${index}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
  return {
    id: 'bench',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.content ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: toolCalls.length ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: reply.usage?.prompt_tokens ?? 100, completion_tokens: reply.usage?.completion_tokens ?? 10, total_tokens: 0 },
  };
}

/** An OpenAI-compatible stand-in for the three models: the scripted replies, each after {@link MODEL_MS}. */
async function startModels(calls: Record<string, number>): Promise<{ url: string; close(): Promise<void> }> {
  const script = shopModels();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model: string };
      const role: Role = roleOf({ body });
      calls[role] = (calls[role] ?? 0) + 1;
      const reply = script.chat({ body });
      setTimeout(() => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(openAiReply(reply, body.model)));
      }, MODEL_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The calls that cannot overlap: intent (search, read, answer) → the slowest of the inspector, the customer lookup and
 * the CRM → the ERP → planner → the slowest researcher step (read a source, answer) → checker → proposer → Slack.
 */
const CRITICAL_PATH_MS = 3 * MODEL_MS + Math.max(MODEL_MS, SYSTEM_MS) + SYSTEM_MS + MODEL_MS + 2 * MODEL_MS + MODEL_MS + MODEL_MS + SYSTEM_MS;

export async function runInquiryBench(): Promise<InquiryBenchReport> {
  const example = path.join(PACKAGE_ROOT, 'examples', 'customer-inquiry');
  const fakes = (await import(pathToFileURL(path.join(example, 'fakes', 'systems.mjs')).href)) as FakeSystems;
  const wallMs: number[] = [];
  const calls: Record<string, number> = {};
  for (let index = 0; index < RUNS; index += 1) {
    const models = await startModels(index === 0 ? calls : {});
    const crm = await fakes.startCrm({ delayMs: SYSTEM_MS });
    const erp = await fakes.startErp({ delayMs: SYSTEM_MS });
    const webhooks = await fakes.startWebhooks({ delayMs: SYSTEM_MS });
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-inquiry-'));
    try {
      cpSync(example, cwd, { recursive: true, filter: (source) => !/[/\\](?:\.baton|data)$/.test(source) });
      const swap = (file: string, pairs: Array<[string, string]>): void => {
        let text = readFileSync(path.join(cwd, file), 'utf8');
        for (const [from, to] of pairs) text = text.split(from).join(to);
        writeFileSync(path.join(cwd, file), text);
      };
      swap('baton.config.yaml', [['http://127.0.0.1:11434/v1', models.url], ['https://api.openai.com/v1', models.url]]);
      swap('connectors/crm.yaml', [['http://127.0.0.1:4010', crm.url]]);
      swap('connectors/erp.yaml', [['http://127.0.0.1:4011', erp.url]]);
      fakes.buildCustomerDb(path.join(cwd, 'data', 'customers.db'));
      const dataDir = path.join(cwd, '.baton');
      mkdirSync(dataDir, { recursive: true });
      const env = { BATON_SECRET_KEY: 'b'.repeat(64), CLOUD_MINI_API_KEY: 'bench-key-not-secret' };
      const secrets = SecretStore.open({ dataDir, env });
      secrets.set('CRM_TOKEN', fakes.DEFAULT_CRM_TOKEN);
      secrets.set('ERP_KEY', fakes.DEFAULT_ERP_KEY);
      secrets.set('SLACK_WEBHOOK_URL', webhooks.slackUrl);
      secrets.set('TEAMS_WEBHOOK_URL', webhooks.teamsUrl);
      const runtime = await openRuntime(loadProject({ cwd, env, dataDir }), { env });
      try {
        const attachments = await readAttachments(['inquiry.eml'], cwd);
        let started = performance.now();
        const parked = await runGoal(runtime, { goal: 'Handle this customer inquiry', attachments });
        let elapsed = performance.now() - started;
        if (parked.status !== 'awaiting_human') throw new Error(`the inquiry ended ${parked.status} before the gate: ${JSON.stringify(parked.error ?? parked.objections)}`);
        await decideRun(runtime, parked.runId, { decision: 'approve', by: 'bench' });
        started = performance.now();
        const outcome = await resumeRun(runtime, parked.runId);
        elapsed += performance.now() - started;
        if (outcome.status !== 'approved' || webhooks.messages.length !== 1) throw new Error(`the inquiry ended ${outcome.status} with ${webhooks.messages.length} message(s)`);
        wallMs.push(elapsed);
      } finally {
        await runtime.close();
      }
    } finally {
      await Promise.all([models.close(), crm.close(), erp.close(), webhooks.close()]);
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  return { runs: RUNS, wallMs, criticalPathMs: CRITICAL_PATH_MS, calls };
}

export function formatInquiryReport(report: InquiryBenchReport): string {
  const sorted = [...report.wallMs].sort((left, right) => left - right);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const ratio = median / report.criticalPathMs;
  return [
    `Customer inquiry (examples/customer-inquiry): each model call answers after ${MODEL_MS} ms, each system after ${SYSTEM_MS} ms; ${report.runs} runs`,
    `  wall time (the person's approval not counted): median ${Math.round(median)} ms (runs: ${report.wallMs.map((value) => Math.round(value)).join(', ')} ms)`,
    `  critical path (the calls that cannot overlap): ${report.criticalPathMs} ms`,
    `  ratio ${ratio.toFixed(2)}x (target <= 1.15x)`,
    `  model calls per role: ${Object.entries(report.calls).map(([role, count]) => `${role} ${count}`).join(', ')}`,
  ].join('\n');
}
