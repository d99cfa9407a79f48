/**
 * `toolsWithStructuredOutput: false`, over real HTTP against the recording fake: for servers that drop the tools (or the
 * response format) when one request carries both (node-llama-cpp, the llama.cpp server, some vLLM and Ollama versions),
 * the tool loop runs without the response format and one last call, without tools, asks for the structured answer.
 * Without the setting requests combine them, as before.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readMarked } from '../../src/guards/spotlight.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { OpenAICompatibleModel } from '../../src/config/models.js';
import { OpenAICompatibleChatModel } from '../../src/models/openai.js';
import type { ModelRequest } from '../../src/models/types.js';
import { openRuntime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { startFakeOpenAI, type ChatReply, type RecordedRequest } from '../support/fake-openai.js';

const SOURCE = 'kb/lighthouse.md';
const KNOWLEDGE = '# The Lighthouse project\n\nThe Lighthouse project keeps a ledger of every ship that docks at the harbour.\n\nThe harbour master signs each ledger entry before noon.\n';
const GOAL = 'What does the Lighthouse project keep a ledger of?';
// The whole sentence: a quote must itself address the question (the claim cannot lend it the subject).
const QUOTE = 'The Lighthouse project keeps a ledger of every ship that docks at the harbour';
const usage = { prompt_tokens: 100, completion_tokens: 10 };
const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage });
const findings = json({ claims: [{ text: 'The project keeps a ledger of every docking ship.', citations: [{ source: SOURCE, quote: QUOTE }] }], gaps: [] });
const searchCall: ChatReply = { toolCalls: [{ id: 'call_search_1', name: 'search_docs', arguments: { query: 'harbour master ledger entry', limit: 2 } }], usage };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Body {
  messages: Array<{ role: string; content: unknown; tool_call_id?: string }>;
  tools?: unknown[];
  response_format?: { type: string };
}

const bodyOf = (request: RecordedRequest): Body => request.body as Body;

function roleOf(request: RecordedRequest): 'planner' | 'researcher' | 'checker' {
  const system = JSON.stringify(bodyOf(request).messages.find((message) => message.role === 'system')?.content);
  if (system.includes('You are the Planner')) return 'planner';
  if (system.includes('You are the Researcher')) return 'researcher';
  return 'checker';
}

/** A project on disk whose one model is the fake; the researcher answers from `researcher(call)`. */
async function runWith(modelYaml: string[], researcher: (call: number) => ChatReply) {
  let researcherCalls = 0;
  const fake = await startFakeOpenAI({
    chat: (request) => {
      switch (roleOf(request)) {
        case 'planner':
          return json({ steps: [{ id: 's1', question: GOAL }] });
        case 'researcher':
          return researcher(researcherCalls++);
        case 'checker':
          return json({ decision: 'approve', objections: [] });
      }
    },
  });
  cleanups.push(() => fake.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'baton-tools-separate-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'kb'));
  writeFileSync(path.join(dir, SOURCE), KNOWLEDGE);
  const config = ['models:', '  - name: fake', '    provider: openai-compatible', `    baseUrl: ${fake.url}`, '    model: fake-gpt', '    zone: private', ...modelYaml, 'defaultModel: fake', 'knowledge:', '  paths: [kb]', ''];
  writeFileSync(path.join(dir, 'baton.config.yaml'), config.join('\n'));
  const runtime = await openRuntime(loadProject({ cwd: dir, env: {} }), { env: {}, checkpoints: false });
  cleanups.push(() => runtime.close());
  const outcome = await runGoal(runtime, { goal: GOAL });
  const researcherRequests = fake.chatRequests().filter((request) => roleOf(request) === 'researcher').map(bodyOf);
  return { fake, runtime, outcome, researcherRequests };
}

const combined = (body: Body): boolean => body.tools !== undefined && body.response_format !== undefined;

describe('toolsWithStructuredOutput: false', () => {
  it('never sends tools with a response format, and the run still gets its tool results and a valid answer', async () => {
    const { fake, runtime, outcome, researcherRequests } = await runWith(['    toolsWithStructuredOutput: false'], (call) =>
      call === 0 ? searchCall : call === 1 ? { content: 'The ledger records every ship that docks.', usage } : findings,
    );
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe('approved');
    expect(fake.chatRequests().map(bodyOf).filter(combined)).toEqual([]);

    // The tool loop carries the tools without the format; the last call carries the format without the tools.
    expect(researcherRequests.map((body) => [body.tools !== undefined, body.response_format?.type ?? null])).toEqual([
      [true, null],
      [true, null],
      [false, 'json_schema'],
    ]);
    const last = researcherRequests[2]!.messages;
    expect(last.find((message) => message.role === 'tool')).toMatchObject({ tool_call_id: 'call_search_1' });
    expect(readMarked(String(last.find((message) => message.role === 'tool')?.content))).toContain('The harbour master signs each ledger entry before noon');
    expect(String(last.at(-1)?.content)).toMatch(/final answer/);

    const researcher = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'researcher')!;
    expect(researcher.attempts).toBe(3);
    expect(researcher.usage).toMatchObject({ inputTokens: 300, outputTokens: 30 });
    expect(researcher.events.filter((event) => event.type === 'output-invalid')).toEqual([]);
    expect(researcher.toolCalls.some((call) => (call.arguments as { query?: string }).query === 'harbour master ledger entry')).toBe(true);
  });

  it('takes an answer the model gave at the end of its tool loop when it already validates', async () => {
    const { outcome, researcherRequests } = await runWith(['    toolsWithStructuredOutput: false'], (call) => (call === 0 ? searchCall : findings));
    expect(outcome.status).toBe('approved');
    expect(researcherRequests).toHaveLength(2);
    expect(researcherRequests.filter(combined)).toEqual([]);
  });

  it('still combines tools and the response format by default', async () => {
    const { outcome, researcherRequests } = await runWith([], (call) => (call === 0 ? searchCall : findings));
    expect(outcome.status).toBe('approved');
    expect(researcherRequests).toHaveLength(2);
    expect(researcherRequests.every(combined)).toBe(true);
  });
});

describe('the provider with toolsWithStructuredOutput: false', () => {
  const request = (extra: Partial<ModelRequest>): ModelRequest => ({
    task: { kind: 'plan', role: 'planner', goal: 'g', round: 1, maxSteps: 3, previousPlan: null, objections: [] },
    messages: [{ role: 'user', content: 'hi' }],
    ...extra,
  });
  const output = { name: 'plan', jsonSchema: { type: 'object' } };
  const tools = [{ name: 'search_docs', description: 'Search.', parameters: { type: 'object', properties: {} } }];

  it('sends the tools alone and says it deferred the format; without tools it sends the format', async () => {
    const fake = await startFakeOpenAI({ chat: [{ content: 'thinking' }, { content: '{}' }] });
    cleanups.push(() => fake.close());
    const spec = OpenAICompatibleModel.parse({ name: 'fake', provider: 'openai-compatible', baseUrl: fake.url, model: 'fake-gpt', toolsWithStructuredOutput: false });
    const model = new OpenAICompatibleChatModel({ spec, env: {} });
    expect((await model.generate(request({ output, tools }))).outputDeferred).toBe(true);
    expect((await model.generate(request({ output }))).outputDeferred).toBeUndefined();
    const [first, second] = fake.chatRequests().map(bodyOf);
    expect(first).toHaveProperty('tools');
    expect(first).not.toHaveProperty('response_format');
    expect(second).not.toHaveProperty('tools');
    expect(second?.response_format).toMatchObject({ type: 'json_schema' });
  });

  it('defaults to combining them', () => {
    const spec = OpenAICompatibleModel.parse({ name: 'fake', provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
    expect(spec.toolsWithStructuredOutput).toBe(true);
  });
});
