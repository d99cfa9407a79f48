/**
 * Shared pieces of the durable-run tests: a project whose default model is a fake OpenAI-compatible server on
 * 127.0.0.1 that answers each built-in role (recognised by its system prompt) after a delay, so a real process can
 * be killed at a chosen point of a run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';

export type Role = 'planner' | 'researcher' | 'checker';

export const GOAL = 'What does the Lighthouse project keep, and who signs it, and when is it archived?';
const SOURCE = 'kb/lighthouse.md';
const KNOWLEDGE = [
  '# The Lighthouse project',
  '',
  'The Lighthouse project keeps a ledger of every ship that docks at the harbour.',
  '',
  'The harbour master signs each ledger entry before noon.',
  '',
  'The ledger is archived every winter.',
  '',
].join('\n');
const QUOTES: Record<string, string> = {
  s1: 'The Lighthouse project keeps a ledger of every ship that docks at the harbour',
  s2: 'The harbour master signs each ledger entry before noon',
  s3: 'The ledger is archived every winter',
};

function messagesOf(request: RecordedRequest): Array<{ role: string; content: unknown }> {
  return (request.body as { messages: Array<{ role: string; content: unknown }> }).messages;
}

export function roleOf(request: RecordedRequest): Role {
  const system = messagesOf(request).find((message) => message.role === 'system');
  const text = typeof system?.content === 'string' ? system.content : JSON.stringify(system?.content);
  if (text.includes('You are the Planner')) return 'planner';
  if (text.includes('You are the Researcher')) return 'researcher';
  if (text.includes('You are the Checker')) return 'checker';
  throw new Error(`the fake cannot tell which role sent: ${text.slice(0, 80)}`);
}

/** The plan step a researcher request is about, from the step id in its prompt. */
function stepOf(request: RecordedRequest): string {
  const user = messagesOf(request).filter((message) => message.role === 'user').map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))).join('\n');
  return /"id":\s*"(s\d)"/.exec(user)?.[1] ?? /\b(s[123])\b/.exec(user)?.[1] ?? 's1';
}

const usage = { prompt_tokens: 100, completion_tokens: 10 };
const json = (value: unknown, delayMs: number): ChatReply => ({ content: JSON.stringify(value), usage, delayMs });

export interface SlowModel {
  fake: FakeOpenAI;
  /** Chat requests per role, in order. */
  requestsOf(role: Role): RecordedRequest[];
}

/** A fake model: a three-step plan, one supported claim per step, and approval; each answer after `delayMs[role]`. */
export async function startSlowModel(delayMs: Record<Role, number>): Promise<SlowModel> {
  const fake = await startFakeOpenAI({
    chat: (request) => {
      switch (roleOf(request)) {
        case 'planner':
          return json(
            {
              steps: [
                { id: 's1', question: 'What does the Lighthouse project keep?' },
                { id: 's2', question: 'Who signs the ledger entries?' },
                { id: 's3', question: 'When is the ledger archived?' },
              ],
            },
            delayMs.planner,
          );
        case 'researcher': {
          const step = stepOf(request);
          // The claim says what its quote says: the checker verifies that it is supported and answers its step.
          return json({ claims: [{ text: `${QUOTES[step]}.`, citations: [{ source: SOURCE, quote: QUOTES[step] }] }], gaps: [] }, delayMs.researcher);
        }
        case 'checker':
          return json({ decision: 'approve', objections: [], feedback: 'supported' }, delayMs.checker);
      }
    },
  });
  return { fake, requestsOf: (role) => fake.chatRequests().filter((request) => roleOf(request) === role) };
}

/** Writes the project files into `dir`: the fake as default model, the knowledge file, short leases. */
export function writeProject(dir: string, url: string, extra: string[] = [], flow = '[planner, { role: researcher, concurrency: 1 }, checker]'): void {
  mkdirSync(path.join(dir, 'kb'), { recursive: true });
  writeFileSync(path.join(dir, 'kb', 'lighthouse.md'), KNOWLEDGE);
  writeFileSync(
    path.join(dir, 'baton.config.yaml'),
    [
      'models:',
      '  - name: fake',
      '    provider: openai-compatible',
      `    baseUrl: ${url}`,
      '    model: fake-gpt',
      'defaultModel: fake',
      'knowledge:',
      '  paths: [kb]',
      `flow: ${flow}`,
      'runs:',
      '  leaseMs: 1000',
      ...extra,
      '',
    ].join('\n'),
  );
}

/**
 * Polls `probe` until it gives a value (a thrown error counts as none yet), or fails naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
