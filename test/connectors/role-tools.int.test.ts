/**
 * A role's model calls connector operations as tools, over real HTTP: the model is a fake OpenAI-compatible server on
 * 127.0.0.1 and the CRM a fake system. The tool result becomes a source: a claim citing a record
 * (`crm.order#o-5001`) is approved when its quoted values are the record's, and refused when the claim states another
 * value than the record holds. A side effect a model asks for waits for approval like an action's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { decideRun, resumeRun, runGoal } from '../../src/runtime/run.js';
import { crmSeed, startFakeSystem, type FakeSystem } from '../support/fake-systems.js';
import { startFakeOpenAI, type ChatReply, type RecordedRequest } from '../support/fake-openai.js';
import { makeProject } from '../support/project.js';

const GOAL = 'What is the date and total of order o-5001?';
const usage = { prompt_tokens: 100, completion_tokens: 10 };
const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Role = 'planner' | 'researcher' | 'checker';
function roleOf(request: RecordedRequest): Role {
  const messages = (request.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  const system = JSON.stringify(messages.find((message) => message.role === 'system')?.content);
  if (system.includes('You are the Planner')) return 'planner';
  if (system.includes('You are the Researcher')) return 'researcher';
  return 'checker';
}
function toolMessages(request: RecordedRequest): string[] {
  return (request.body as { messages: Array<{ role: string; content: unknown }> }).messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
}

/**
 * The researcher's script, by how many tool results its conversation holds (as a model at temperature 0 answers the
 * same conversation the same way, also when a resumed turn asks it again).
 */
type Researcher = (results: number, request: RecordedRequest) => ChatReply;

async function setup(researcher: Researcher, tools = '[crm.order]'): Promise<{ runtime: Runtime; crm: FakeSystem; tools: () => string[] }> {
  const crm = await startFakeSystem({ seed: crmSeed() });
  cleanups.push(() => crm.close());
  const calls: Record<Role, number> = { planner: 0, researcher: 0, checker: 0 };
  const seenTools: string[] = [];
  const fake = await startFakeOpenAI({
    chat: (request) => {
      const role = roleOf(request);
      calls[role]++;
      if (role === 'planner') return json({ steps: [{ id: 's1', question: GOAL, rationale: 'the goal asks this' }] });
      if (role === 'checker') return json({ decision: 'approve', objections: [], feedback: 'fine' });
      seenTools.push(...toolMessages(request));
      return researcher(toolMessages(request).length, request);
    },
  });
  cleanups.push(() => fake.close());
  const cwd = makeProject({
    'baton.config.yaml': `models:\n  - { name: fake, provider: openai-compatible, baseUrl: "${fake.url}", model: fake-gpt }\ndefaultModel: fake\nknowledge:\n  paths: [kb]\nlimits:\n  maxRounds: 2\n`,
    'kb/empty.md': '# Notes\n\nNothing about orders here.\n',
    'agents/researcher.yaml': `name: researcher\nkind: researcher\ndescription: Looks orders up in the CRM.\ntools: ${tools}\n`,
    'connectors/crm.yaml': `name: crm
kind: http
baseUrl: ${crm.url}
operations:
  order:
    description: One order by its id.
    path: /orders/{id}
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    response: "{ 'id': id, 'date': date, 'total': total, 'currency': currency }"
    records: { id: id }
  add_note:
    description: Adds a note to an order.
    method: POST
    path: /orders/{id}/notes
    input: { type: object, properties: { id: { type: string }, note: { type: string } }, required: [id, note] }
    approval: always
  flag_order:
    description: Flags an order for review.
    method: POST
    path: /orders/{id}/flags
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    approval: untrusted
`,
  });
  mkdirSync(path.join(cwd, 'prompts'), { recursive: true });
  writeFileSync(path.join(cwd, 'prompts', '.keep'), '');
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {} });
  cleanups.push(() => runtime.close());
  return { runtime, crm, tools: () => seenTools };
}

const claim = (text: string, quotes: string[]): ChatReply => json({ claims: [{ text, citations: quotes.map((quote) => ({ source: 'crm.order#o-5001', quote })) }], gaps: [] });

describe('connector operations as a role\'s tools', () => {
  it('run the tool the model calls (by its tool name), and approve a claim whose quoted values are the record\'s', async () => {
    const { runtime, crm, tools } = await setup((call) =>
      call === 0
        ? { toolCalls: [{ id: 'call_1', name: 'crm__order', arguments: { id: 'o-5001' } }], usage }
        : claim('Order o-5001 has the date 2024-02-11 and the total 129.9.', ['order o-5001', 'date: 2024-02-11', 'total: 129.9']),
    );
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status, JSON.stringify(outcome.objections)).toBe('approved');
    expect(crm.apiRequests().map((request) => `${request.method} ${request.path}`)).toEqual(['GET /orders/o-5001']);
    // The model got the result with the record it may cite.
    expect(tools()[0]).toContain('crm.order#o-5001');
    expect(tools()[0]).toContain('2024-02-11');
    const researcher = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'researcher')!;
    expect(researcher.toolCalls.some((call) => call.name === 'crm.order' && call.error === undefined)).toBe(true);
    expect(outcome.result?.citations.some((citation) => citation.source === 'crm.order#o-5001')).toBe(true);
  });

  it('refuse a claim that states another value than the record holds', async () => {
    const { runtime } = await setup((call) =>
      call === 0
        ? { toolCalls: [{ id: 'call_1', name: 'crm.order', arguments: { id: 'o-5001' } }], usage }
        : claim('Order o-5001 has the date 2024-02-11 and the total 139.9.', ['order o-5001', 'date: 2024-02-11', 'total: 129.9']),
    );
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections.join('\n')).toMatch(/139\.9/);
  });

  it('refuse a quote the record does not hold, and a record the run never read', async () => {
    const { runtime } = await setup((call) =>
      call === 0
        ? { toolCalls: [{ id: 'call_1', name: 'crm__order', arguments: { id: 'o-5001' } }], usage }
        : json({ claims: [{ text: 'Order o-5001 has the total 129.9.', citations: [{ source: 'crm.order#o-5001', quote: 'total: 99.9' }, { source: 'crm.order#o-5002', quote: 'total: 31.5' }] }], gaps: [] }),
    );
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('unverified');
    const objections = outcome.objections.join('\n');
    expect(objections).toMatch(/does not occur in crm\.order#o-5001/);
    expect(objections).toMatch(/crm\.order#o-5002, which no role read/);
  });

  it('give a failing call back to the model as a tool error it can act on', async () => {
    const { runtime, tools } = await setup((call) =>
      call === 0
        ? { toolCalls: [{ id: 'call_1', name: 'crm__order', arguments: { id: 'o-9999' } }], usage }
        : call === 1
          ? { toolCalls: [{ id: 'call_2', name: 'crm__order', arguments: { id: 'o-5001' } }], usage }
          : claim('Order o-5001 has the date 2024-02-11 and the total 129.9.', ['order o-5001', 'date: 2024-02-11', 'total: 129.9']),
    );
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    expect(tools()[0]).toMatch(/CONNECTOR_REJECTED/);
    expect(tools()[0]).toMatch(/404/);
  });

  it('hold a side effect the model asks for until a person approves it, then send it once', async () => {
    const { runtime, crm } = await setup(
      (call) =>
        call === 0
          ? { toolCalls: [{ id: 'call_1', name: 'crm__add_note', arguments: { id: 'o-5001', note: 'customer asked about the total' } }], usage }
          : call === 1
            ? { toolCalls: [{ id: 'call_2', name: 'crm__order', arguments: { id: 'o-5001' } }], usage }
            : claim('Order o-5001 has the date 2024-02-11 and the total 129.9.', ['order o-5001', 'date: 2024-02-11', 'total: 129.9']),
      '[crm.order, crm.add_note]',
    );
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    expect(crm.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(0);
    const [pending] = await runtime.store.pendingDecisions();
    expect(pending!.subject).toMatchObject({ kind: 'approve', operation: 'crm.add_note', request: { method: 'POST', body: { note: 'customer asked about the total' } } });
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });
    const outcome = await resumeRun(runtime, parked.runId);
    expect(outcome.status).toBe('approved');
    expect(crm.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it('count a tool result the model read earlier in the same turn as outside content for `approval: untrusted`', async () => {
    const { runtime, crm } = await setup(
      (results) =>
        results === 0
          ? { toolCalls: [{ id: 'call_1', name: 'crm__order', arguments: { id: 'o-5001' } }], usage }
          : results === 1
            ? { toolCalls: [{ id: 'call_2', name: 'crm__flag_order', arguments: { id: 'o-5001' } }], usage }
            : claim('Order o-5001 has the date 2024-02-11 and the total 129.9.', ['order o-5001', 'date: 2024-02-11', 'total: 129.9']),
      '[crm.order, crm.flag_order]',
    );
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    expect((await runtime.store.pendingDecisions())[0]!.subject).toMatchObject({ operation: 'crm.flag_order', reason: expect.stringContaining('outside content') });
    expect(crm.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(0);
  });
});
