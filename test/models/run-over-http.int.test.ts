/**
 * Whole runs against an OpenAI-compatible endpoint over real HTTP: a project on disk declares the fake on 127.0.0.1
 * as its default model, and the fake answers each role (recognised by its system prompt) with a scripted reply. The
 * supervisor, the roles, the structured-output retries, the tools, the evidence check and the transcript all run for
 * real; only the LLM is scripted.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readMarked } from '../../src/guards/spotlight.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadProject } from '../../src/config/load.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import type { TurnRecord } from '../../src/transcript/schema.js';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';

const KEY_ENV = 'FAKE_OPENAI_KEY';
// Not shaped like any known credential, so only the configured-secret redaction can remove it.
const API_KEY = 'baton-test-secret-7f3a9c2e5b1d';
const SOURCE = 'kb/lighthouse.md';
const KNOWLEDGE = [
  '# The Lighthouse project',
  '',
  'The Lighthouse project keeps a ledger of every ship that docks at the harbour.',
  '',
  'The harbour master signs each ledger entry before noon, and the ledger is archived every winter.',
  '',
].join('\n');
const GOAL = 'What does the Lighthouse project keep a ledger of?';
const QUESTION = 'What does the Lighthouse project keep a ledger of?';
// A real model's quote: the whole sentence, so the claim's subject (the Lighthouse project) is in its own quote.
const GOOD_QUOTE = 'The Lighthouse project keeps a ledger of every ship that docks at the harbour';

type Role = 'planner' | 'researcher' | 'checker';
type RoleHandler = (request: RecordedRequest, call: number) => ChatReply;

interface Harness {
  dir: string;
  fake: FakeOpenAI;
  runtime: Runtime;
  /** The chat requests the fake received for one role, in order. */
  requestsOf(role: Role): RecordedRequest[];
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function messagesOf(request: RecordedRequest): Array<{ role: string; content: unknown; tool_call_id?: string }> {
  return (request.body as { messages: Array<{ role: string; content: unknown; tool_call_id?: string }> }).messages;
}

/** Which built-in role sent a request, from its system prompt (see prompts/*.md). */
function roleOf(request: RecordedRequest): Role {
  const system = messagesOf(request).find((message) => message.role === 'system');
  const text = typeof system?.content === 'string' ? system.content : JSON.stringify(system?.content);
  if (text.includes('You are the Planner')) return 'planner';
  if (text.includes('You are the Researcher')) return 'researcher';
  if (text.includes('You are the Checker')) return 'checker';
  throw new Error(`the fake cannot tell which role sent: ${text.slice(0, 80)}`);
}

const usage = { prompt_tokens: 100, completion_tokens: 10 };
const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage });
const plan = (): ChatReply => json({ steps: [{ id: 's1', question: QUESTION, rationale: 'the goal asks exactly this' }], notes: 'one step' });
const findings = (quote: string, source = SOURCE): ChatReply =>
  json({ claims: [{ text: 'The Lighthouse project keeps a ledger of every docking ship.', citations: [{ source, quote }] }], gaps: [] });
const approve = (): ChatReply => json({ decision: 'approve', objections: [], feedback: 'the answer is supported' });

const defaultHandlers: Record<Role, RoleHandler> = {
  planner: () => plan(),
  researcher: () => findings(GOOD_QUOTE),
  checker: () => approve(),
};

/** Writes a project whose default model is the fake, opens it and returns the pieces. */
async function harness(options: { handlers?: Partial<Record<Role, RoleHandler>>; limits?: string; extraModelYaml?: string; requireApiKey?: string } = {}): Promise<Harness> {
  const handlers = { ...defaultHandlers, ...options.handlers };
  const calls: Record<Role, number> = { planner: 0, researcher: 0, checker: 0 };
  const fake = await startFakeOpenAI({
    chat: (request) => {
      const role = roleOf(request);
      const call = calls[role];
      calls[role] += 1;
      return handlers[role](request, call);
    },
    ...(options.requireApiKey ? { requireApiKey: options.requireApiKey } : {}),
  });
  cleanups.push(() => fake.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'baton-http-run-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'kb'));
  writeFileSync(path.join(dir, SOURCE), KNOWLEDGE);
  writeFileSync(path.join(dir, 'baton.config.yaml'), projectYaml(fake.url, options));
  const project = loadProject({ cwd: dir, env: { [KEY_ENV]: API_KEY } });
  const runtime = await openRuntime(project, { env: { [KEY_ENV]: API_KEY } });
  cleanups.push(() => runtime.close());
  return { dir, fake, runtime, requestsOf: (role) => fake.chatRequests().filter((request) => roleOf(request) === role) };
}

function projectYaml(url: string, options: { limits?: string; extraModelYaml?: string }): string {
  return [
    'models:',
    '  - name: fake',
    '    provider: openai-compatible',
    `    baseUrl: ${url}`,
    '    model: fake-gpt',
    `    apiKeyEnv: ${KEY_ENV}`,
    '    pricing: { inputPerMillion: 1000, outputPerMillion: 2000 }',
    ...(options.extraModelYaml ? [options.extraModelYaml] : []),
    'defaultModel: fake',
    'knowledge:',
    '  paths: [kb]',
    'limits:',
    `  ${options.limits ?? 'maxRounds: 2'}`,
    'log:',
    '  level: info',
    '',
  ].join('\n');
}

function turnOf(turns: TurnRecord[], role: string): TurnRecord {
  const turn = turns.find((candidate) => candidate.role === role);
  expect(turn, `a ${role} turn`).toBeDefined();
  return turn!;
}

describe('a whole run against an OpenAI-compatible endpoint', () => {
  it('is approved when the findings quote the knowledge files, and records every turn with real usage and cost', async () => {
    const { fake, runtime, requestsOf } = await harness();
    const outcome = await runGoal(runtime, { goal: GOAL });

    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe('approved');
    expect(outcome.rounds).toBe(1);
    expect(outcome.result?.verification.verified).toBe(true);
    expect(outcome.result?.citations).toEqual([{ marker: 1, source: SOURCE, quote: GOOD_QUOTE }]);
    expect(outcome.result?.answer).toContain('keeps a ledger of every docking ship');
    // Three calls at 100 in / 10 out, priced at $1000 / $2000 per million tokens.
    expect(outcome.inputTokens).toBe(300);
    expect(outcome.outputTokens).toBe(30);
    expect(outcome.costUsd).toBeCloseTo(0.36, 10);
    expect(outcome.costEstimated).toBe(false);

    expect(fake.chatRequests()).toHaveLength(3);
    expect(fake.chatRequests().map(roleOf)).toEqual(['planner', 'researcher', 'checker']);
    const formats = fake.chatRequests().map((request) => (request.body as { response_format?: { json_schema?: { name?: string } } }).response_format?.json_schema?.name);
    expect(formats).toEqual(['plan', 'findings', 'verdict']);
    const researcherBody = requestsOf('researcher')[0]!.body as { tools?: Array<{ function: { name: string } }> };
    expect(researcherBody.tools?.map((tool) => tool.function.name)).toEqual(['search_docs', 'read_source']);
    // The researcher was shown the passage its search found, under the source name it must cite.
    const researcherUser = JSON.stringify(messagesOf(requestsOf('researcher')[0]!)[1]?.content);
    expect(researcherUser).toContain(SOURCE);
    expect(readMarked(researcherUser)).toContain('every ship that docks at the harbour');

    const run = await runtime.store.getRun(outcome.runId);
    expect(run.status).toBe('approved');
    expect(run.engine).toBe('config');
    const turns = await runtime.store.turns(outcome.runId);
    expect(turns.map((turn) => turn.role)).toEqual(['supervisor', 'planner', 'researcher', 'checker', 'supervisor']);
    for (const turn of turns.filter((candidate) => candidate.kind !== 'supervisor')) {
      expect(turn.model).toBe('openai-compatible:fake-gpt');
      expect(turn.attempts).toBe(1);
      expect(turn.usage).toEqual({ inputTokens: 100, outputTokens: 10, totalTokens: 110, estimated: false });
      expect(turn.error).toBeUndefined();
    }
    expect(turnOf(turns, 'researcher').stepId).toBe('s1');
    expect(turnOf(turns, 'checker').output).toMatchObject({ decision: 'approve' });
    expect(turns.at(-1)?.output).toMatchObject({ status: 'approved', verified: true });
  });

  it('asks a researcher again after a reply that fails validation, and the run is still approved', async () => {
    const { runtime, requestsOf } = await harness({
      handlers: {
        // Valid JSON, wrong shape: claims must be a list of { text, citations }.
        researcher: (_request, call) => (call === 0 ? json({ claims: 'the ledger of ships', gaps: [] }) : findings(GOOD_QUOTE)),
      },
    });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');

    const researcher = turnOf(await runtime.store.turns(outcome.runId), 'researcher');
    expect(researcher.attempts).toBe(2);
    expect(researcher.usage).toMatchObject({ inputTokens: 200, outputTokens: 20, estimated: false });
    const invalid = researcher.events.filter((event) => event.type === 'output-invalid');
    expect(invalid).toHaveLength(1);
    expect(String(invalid[0]!['problem'])).toContain('claims');

    // The second request carries the bad reply and the validation problem, so the model can correct itself.
    const requests = requestsOf('researcher');
    expect(requests).toHaveLength(2);
    const retryMessages = messagesOf(requests[1]!);
    expect(retryMessages.at(-2)).toMatchObject({ role: 'assistant', content: JSON.stringify({ claims: 'the ledger of ships', gaps: [] }) });
    expect(retryMessages.at(-1)?.role).toBe('user');
    expect(String(retryMessages.at(-1)?.content)).toContain('did not match the required findings schema');
  });

  it('recovers from a reply that is not JSON at all in json_schema mode', async () => {
    const { runtime } = await harness({
      handlers: { planner: (_request, call) => (call === 0 ? { content: 'Sure! Here is my plan: look it up.', usage } : plan()) },
    });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    const planner = turnOf(await runtime.store.turns(outcome.runId), 'planner');
    expect(planner.attempts).toBe(2);
    expect(planner.events.find((event) => event.type === 'output-invalid')).toMatchObject({ type: 'output-invalid', problem: 'the reply was not valid JSON: it began "Sure! Here is my plan: look it up."' });
  });

  it('runs a search_docs tool call the researcher makes and sends the result back before the answer', async () => {
    const { fake, runtime, requestsOf } = await harness({
      handlers: {
        researcher: (_request, call) =>
          call === 0 ? { toolCalls: [{ id: 'call_search_1', name: 'search_docs', arguments: { query: 'harbour master ledger entry', limit: 2 } }], usage } : findings(GOOD_QUOTE),
      },
    });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');

    const researcher = turnOf(await runtime.store.turns(outcome.runId), 'researcher');
    expect(researcher.attempts).toBe(2);
    const modelSearch = researcher.toolCalls.find((call) => call.name === 'search_docs' && (call.arguments as { query?: string }).query === 'harbour master ledger entry');
    expect(modelSearch).toBeDefined();
    expect(modelSearch?.error).toBeUndefined();
    expect(modelSearch?.resultSummary).toContain(SOURCE);

    const requests = requestsOf('researcher');
    expect(requests).toHaveLength(2);
    const followUp = messagesOf(requests[1]!);
    const toolMessage = followUp.find((message) => message.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe('call_search_1');
    expect(readMarked(String(toolMessage?.content))).toContain('The harbour master signs each ledger entry before noon');
    expect(followUp.some((message) => message.role === 'assistant' && JSON.stringify(message).includes('call_search_1'))).toBe(true);
    expect(fake.chatRequests()).toHaveLength(4);
  });

  it('stops a researcher that keeps calling tools after the tool-call limit instead of looping', async () => {
    const { runtime, requestsOf } = await harness({
      limits: 'maxToolCalls: 1\n  maxOutputRetries: 1',
      handlers: {
        // Past the limit no tools are offered, yet this model keeps calling them. A cap on the fake ends the test if Baton loops.
        researcher: (_request, call) =>
          call < 20 ? { toolCalls: [{ name: 'search_docs', arguments: { query: `ledger ${call}` } }], usage } : { status: 500, content: 'looped' },
      },
    });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('MODEL_OUTPUT_INVALID');
    expect(outcome.error?.message).toContain('called tools instead of answering');
    // One call answered with a tool result, then two replies (one retry) that still call tools and are refused.
    const requests = requestsOf('researcher');
    expect(requests).toHaveLength(3);
    expect(requests[0]!.body).toHaveProperty('tools');
    expect(requests[1]!.body).not.toHaveProperty('tools');
    const researcher = turnOf(await runtime.store.turns(outcome.runId), 'researcher');
    expect(researcher.error?.code).toBe('MODEL_OUTPUT_INVALID');
  });

  it('rejects a fabricated quote even when the checker model approves, and ends unverified after maxRounds', async () => {
    const { runtime, requestsOf } = await harness({
      limits: 'maxRounds: 1',
      handlers: { researcher: () => findings('keeps a ledger of every whale that swims past the harbour') },
    });
    const outcome = await runGoal(runtime, { goal: GOAL });

    expect(outcome.status).toBe('unverified');
    expect(outcome.rounds).toBe(1);
    expect(outcome.result?.verification.verified).toBe(false);
    expect(outcome.result?.verification.verdicts).toEqual([expect.objectContaining({ role: 'checker', decision: 'reject' })]);
    expect(outcome.objections.some((objection) => objection.includes('does not occur in kb/lighthouse.md'))).toBe(true);
    // The checker model was asked (and said approve), so it is the deterministic check that rejected.
    expect(requestsOf('checker')).toHaveLength(1);
    expect(String(messagesOf(requestsOf('checker')[0]!)[1]?.content)).toContain('quote-not-in-source');

    const turns = await runtime.store.turns(outcome.runId);
    // The turn records what the run acted on (reject), beside the model's own approval and the evidence result.
    expect(turnOf(turns, 'checker').output).toMatchObject({ decision: 'reject', model: { decision: 'approve' }, evidence: { passed: false } });
    expect(turns.at(-1)?.output).toMatchObject({ status: 'unverified', verified: false });
    expect(await runtime.store.getRun(outcome.runId)).toMatchObject({ status: 'unverified', result: { verification: { verified: false } } });
  });

  it('rejects a citation of a source the run never read', async () => {
    const { runtime } = await harness({ limits: 'maxRounds: 1', handlers: { researcher: () => findings(GOOD_QUOTE, 'kb/elsewhere.md') } });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections.some((objection) => objection.includes('kb/elsewhere.md, which no role read'))).toBe(true);
  });

  it('fails on a 401, naming the endpoint, and keeps the turns recorded before it', async () => {
    const { fake, runtime } = await harness({ handlers: { checker: () => ({ status: 401, content: 'Incorrect API key provided.' }) } });
    const outcome = await runGoal(runtime, { goal: GOAL });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('MODEL_AUTH');
    expect(outcome.error?.message).toContain(fake.url);
    expect(outcome.result?.verification.verified ?? false).toBe(false);

    const run = await runtime.store.getRun(outcome.runId);
    expect(run.status).toBe('failed');
    expect(run.error?.message).toContain(fake.url);
    const turns = await runtime.store.turns(outcome.runId);
    expect(turns.map((turn) => turn.role)).toEqual(['supervisor', 'planner', 'researcher', 'checker', 'supervisor']);
    expect(turnOf(turns, 'planner').output).toMatchObject({ steps: [{ id: 's1' }] });
    expect(turnOf(turns, 'researcher').output).toMatchObject({ claims: [{ citations: [{ quote: GOOD_QUOTE }] }] });
    expect(turnOf(turns, 'checker').error).toMatchObject({ code: 'MODEL_AUTH' });
    expect(turns.at(-1)?.output).toMatchObject({ status: 'failed', verified: false });
  });

  it('fails at the first call when the endpoint refuses the key', async () => {
    const { fake, runtime } = await harness({ requireApiKey: 'a-different-key-000000' });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain(fake.url);
    expect(fake.chatRequests()).toHaveLength(1);
    const turns = await runtime.store.turns(outcome.runId);
    expect(turns.map((turn) => `${turn.role}${turn.error ? `:${turn.error.code}` : ''}`)).toEqual(['supervisor', 'planner:MODEL_AUTH', 'supervisor:MODEL_AUTH']);
  });

  it('never writes the API key to the transcript or the log file, even when the endpoint echoes it', async () => {
    const echo = `I was called with ${API_KEY}`;
    const { dir, fake } = await harness({
      handlers: {
        planner: () => json({ steps: [{ id: 's1', question: QUESTION }], notes: echo }),
        researcher: () => json({ claims: [{ text: `The ledger (${API_KEY}) lists ships.`, citations: [{ source: SOURCE, quote: GOOD_QUOTE }] }], gaps: [echo] }),
        checker: () => ({ status: 500, content: `upstream failure for key ${API_KEY}` }),
      },
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli(['run', GOAL, '--json'], {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
      env: { [KEY_ENV]: API_KEY },
      cwd: dir,
      onInterrupt: () => () => undefined,
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout.join(''))).toMatchObject({ status: 'failed', error: { code: 'MODEL_HTTP' } });
    // The key did go over the wire, and the endpoint did echo it back.
    expect(fake.chatRequests()[0]!.headers['authorization']).toBe(`Bearer ${API_KEY}`);

    const dataDir = path.join(dir, '.baton');
    const log = readFileSync(path.join(dataDir, 'baton.log'), 'utf8');
    expect(log).toContain('run-end');
    expect(log).not.toContain(API_KEY);
    const stored = readdirSync(dataDir)
      .filter((name) => name.startsWith('baton.db'))
      .map((name) => readFileSync(path.join(dataDir, name)).toString('latin1'))
      .join('\n');
    expect(stored).toContain('REDACTED');
    expect(stored).not.toContain(API_KEY);
    // The endpoint's error text is scrubbed where it enters Baton, so the printed error does not carry the key either.
    const printed = JSON.parse(stdout.join('')) as { error: { message: string } };
    expect(printed.error.message).toContain('upstream failure for key [REDACTED]');
    expect(stderr.join('')).not.toContain(API_KEY);
  });
});
