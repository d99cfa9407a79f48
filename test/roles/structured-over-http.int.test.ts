/**
 * Structured output from the OpenAI-compatible provider over real HTTP, against the recording fake: every reported
 * token is counted (a reply of 0 tokens costs its prompt), a tool call whose arguments are not JSON is kept, recorded
 * and answered so the model can retry, and a spent tool budget is never offered again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadProject } from '../../src/config/load.js';
import { OpenAICompatibleModel } from '../../src/config/models.js';
import { OpenAICompatibleChatModel } from '../../src/models/openai.js';
import type { ChatMessage } from '../../src/models/types.js';
import { openRuntime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { generateStructured, type ToolRunner } from '../../src/roles/structured.js';
import type { PlanTask } from '../../src/roles/tasks.js';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';
import { makeProject } from '../support/project.js';

const task: PlanTask = { kind: 'plan', role: 'researcher', goal: 'g', round: 1, maxSteps: 3, previousPlan: null, objections: [] };
const messages: ChatMessage[] = [
  { role: 'system', content: 'You are the Researcher.' },
  { role: 'user', content: 'Find out.' },
];
const Answer = z.object({ answer: z.string() }).strict();
const usage = { prompt_tokens: 100, completion_tokens: 10 };
const answer: ChatReply = { content: '{"answer": "found"}', usage };
const MALFORMED = '{"source": "kb/a.md"';

let fakes: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

async function fake(chat: ChatReply[]): Promise<FakeOpenAI> {
  const started = await startFakeOpenAI({ chat });
  fakes.push(started);
  return started;
}

/** A tool runner that answers every call and remembers the calls it ran. */
function recordingTools(): ToolRunner & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    specs: [
      { name: 'read_source', description: 'Read a source.', parameters: { type: 'object', properties: { source: { type: 'string' } } } },
      { name: 'search_docs', description: 'Search.', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
    ],
    run: async (call) => {
      ran.push(call.name);
      return { content: '"text of the source"', record: { name: call.name, arguments: call.arguments, resultSummary: 'ok', durationMs: 1 } };
    },
  };
}

function ask(server: FakeOpenAI, tools: ToolRunner, options: { maxToolCalls?: number; maxRetries?: number; model?: Record<string, unknown> } = {}) {
  const spec = OpenAICompatibleModel.parse({ name: 'fake', provider: 'openai-compatible', baseUrl: server.url, model: 'fake-gpt', ...options.model });
  let clock = 0;
  return generateStructured({
    role: 'researcher',
    model: new OpenAICompatibleChatModel({ spec, env: {} }),
    request: { task, messages },
    schema: Answer,
    schemaName: 'answer',
    maxRetries: options.maxRetries ?? 2,
    tools,
    maxToolCalls: options.maxToolCalls ?? 4,
    now: () => (clock += 1),
  });
}

interface Body {
  messages: Array<{ role: string; content: unknown; tool_call_id?: string }>;
  tools?: unknown[];
  response_format?: { type: string };
}
const bodies = (server: FakeOpenAI): Body[] => server.chatRequests().map((request: RecordedRequest) => request.body as Body);

describe('a tool call whose arguments are not valid JSON', () => {
  for (const stream of [false, true]) {
    it(`is recorded with its error and answered, and the model can send it again (${stream ? 'streamed' : 'not streamed'})`, async () => {
      const server = await fake([
        { toolCalls: [{ id: 'call_bad', name: 'read_source', arguments: MALFORMED }], usage },
        { toolCalls: [{ id: 'call_good', name: 'read_source', arguments: { source: 'kb/a.md' } }], usage },
        answer,
      ]);
      const tools = recordingTools();
      const result = await ask(server, tools, { model: { stream } });
      expect(result.value).toEqual({ answer: 'found' });
      // Not run, but kept: the turn shows what the model sent and why it went nowhere.
      expect(tools.ran).toEqual(['read_source']);
      expect(result.toolCalls).toHaveLength(2);
      expect(result.toolCalls[0]).toMatchObject({ name: 'read_source', arguments: MALFORMED, resultSummary: 'failed' });
      expect(result.toolCalls[0]?.error).toContain('not valid JSON');
      expect(result.toolCalls[0]?.error).toContain('kb/a.md');
      expect(result.events.filter((event) => event.type === 'output-invalid')).toEqual([]);
      // The model was told, in the tool result of that very call.
      const second = bodies(server)[1]!.messages;
      const answered = second.find((message) => message.role === 'tool');
      expect(answered?.tool_call_id).toBe('call_bad');
      expect(String(answered?.content)).toContain('not valid JSON');
      expect(String(answered?.content)).toContain('kb/a.md');
    });
  }

  it('is kept beside a good call of the same reply, in order, and counts against maxToolCalls', async () => {
    const server = await fake([
      {
        toolCalls: [
          { id: 'call_good', name: 'search_docs', arguments: { query: 'ledger' } },
          { id: 'call_bad', name: 'read_source', arguments: MALFORMED },
        ],
        usage,
      },
      answer,
    ]);
    const tools = recordingTools();
    const result = await ask(server, tools, { maxToolCalls: 2 });
    expect(result.value).toEqual({ answer: 'found' });
    expect(result.toolCalls.map((call) => [call.name, call.resultSummary])).toEqual([
      ['search_docs', 'ok'],
      ['read_source', 'failed'],
    ]);
    const [first, second] = bodies(server);
    expect(first?.tools).toBeDefined();
    // Both calls are answered, and with the budget of 2 spent, no tools are offered again.
    expect(second?.messages.filter((message) => message.role === 'tool').map((message) => message.tool_call_id)).toEqual(['call_good', 'call_bad']);
    expect(second?.tools).toBeUndefined();
  });

  it('cuts long malformed arguments short where it quotes them', async () => {
    const long = `{"source": "${'x'.repeat(2000)}"`;
    const server = await fake([{ toolCalls: [{ id: 'call_bad', name: 'read_source', arguments: long }], usage }, answer]);
    const result = await ask(server, recordingTools());
    expect(result.toolCalls[0]?.error?.length).toBeLessThan(300);
    const answered = bodies(server)[1]!.messages.find((message) => message.role === 'tool');
    expect(String(answered?.content).length).toBeLessThan(400);
    expect(String(answered?.content)).toContain('…');
  });
});

describe('a spent tool budget', () => {
  it('is not offered again to re-asks after a validation failure (structuredOutput: prompt)', async () => {
    const server = await fake([
      { toolCalls: [{ id: 'call_1', name: 'search_docs', arguments: { query: 'ledger' } }], usage },
      { content: 'Here is what I found.', usage },
      { content: '{"answer": null}', usage },
      answer,
    ]);
    const result = await ask(server, recordingTools(), { maxToolCalls: 1, maxRetries: 3, model: { structuredOutput: 'prompt' } });
    expect(result.value).toEqual({ answer: 'found' });
    expect(bodies(server).map((body) => [body.tools !== undefined, body.response_format !== undefined])).toEqual([
      [true, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });

  it('ends the tool loop with the final-answer instruction (toolsWithStructuredOutput: false)', async () => {
    const server = await fake([{ toolCalls: [{ id: 'call_1', name: 'search_docs', arguments: { query: 'ledger' } }], usage }, answer]);
    const result = await ask(server, recordingTools(), { maxToolCalls: 1, model: { toolsWithStructuredOutput: false } });
    expect(result.value).toEqual({ answer: 'found' });
    const [first, last] = bodies(server);
    expect([first?.tools !== undefined, first?.response_format?.type ?? null]).toEqual([true, null]);
    expect([last?.tools !== undefined, last?.response_format?.type ?? null]).toEqual([false, 'json_schema']);
    expect(last?.messages.at(-1)).toMatchObject({ role: 'user' });
    expect(String(last?.messages.at(-1)?.content)).toMatch(/final answer/);
    expect(result.events.filter((event) => event.type === 'output-invalid')).toEqual([]);
  });
});

describe('reported usage', () => {
  it('counts an empty reply of 0 completion tokens at its reported prompt tokens, in a failed turn and the run', async () => {
    const server = await fake([0, 1, 2].map(() => ({ content: '', usage: { prompt_tokens: 5000, completion_tokens: 0 } })));
    const config = ['models:', '  - name: fake', '    provider: openai-compatible', `    baseUrl: ${server.url}`, '    model: fake-gpt', '    zone: private', 'defaultModel: fake', 'knowledge:', '  paths: [kb]', ''];
    const cwd = makeProject({ 'baton.config.yaml': config.join('\n'), 'kb/a.md': '# A\n\nSome text.\n' });
    const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {}, checkpoints: false, sleep: async () => undefined });
    try {
      const outcome = await runGoal(runtime, { goal: 'What is A?' });
      expect(outcome.error?.code).toBe('MODEL_OUTPUT_INVALID');
      const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
      expect(planner?.usage).toEqual({ inputTokens: 15000, outputTokens: 0, totalTokens: 15000, estimated: false });
      expect(outcome.inputTokens).toBe(15000);
      expect(outcome.outputTokens).toBe(0);
      expect(outcome.costEstimated).toBe(false);
    } finally {
      await runtime.close();
    }
  });
});
