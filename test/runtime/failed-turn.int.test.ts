/**
 * Whole runs whose roles fail after calls that were made and billed, and whose models send replies that differ from
 * the schema only in form. The failed turn keeps every request, reply, usage and validation problem, and the run's
 * totals count its calls; plan step ids and enum spellings are the runtime's business, not a reason to fail.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readMarked } from '../../src/guards/spotlight.js';
import { loadProject } from '../../src/config/load.js';
import { ModelHttpError } from '../../src/errors.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { ScriptedModel, type ScriptedReply } from '../../src/models/scripted.js';
import type { ModelRequest } from '../../src/models/types.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { makeProject } from '../support/project.js';

const KNOWLEDGE = {
  'kb/lighthouse.md': '# Lighthouses\n\nA lighthouse warns ships away from dangerous rocks at night.\n\nThe Fresnel lens lets a small lamp be seen many miles out to sea.\n',
};
// $1000 / $2000 per million tokens: a call of 100 in and 10 out costs $0.12.
const CONFIG = [
  'models:',
  '  - name: paid',
  '    provider: openai-compatible',
  '    baseUrl: http://127.0.0.1:9/v1',
  '    model: paid-model',
  '    zone: private',
  '    pricing: { inputPerMillion: 1000, outputPerMillion: 2000 }',
  'defaultModel: paid',
  'knowledge:',
  '  paths: [kb]',
  '',
].join('\n');
const usage = { inputTokens: 100, outputTokens: 10 };
const GOAL = 'What does a lighthouse warn ships about, and what does the Fresnel lens do?';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

/** A runtime whose only paid model answers from `script`, or like the offline engine where the script has no reply. */
async function setup(script: (request: ModelRequest) => ScriptedReply | undefined, limits = '') {
  const cwd = makeProject({ 'baton.config.yaml': CONFIG + limits, ...KNOWLEDGE });
  const project = loadProject({ cwd, env: {} });
  const offline = new OfflineModel();
  const model = new ScriptedModel(async (request) => {
    const scripted = script(request);
    if (scripted !== undefined) return scripted;
    const reply = await offline.generate(request);
    return { text: reply.text, usage };
  }, 'paid');
  const runtime = await openRuntime(project, { env: {}, modelOverrides: { paid: model }, sleep: async () => undefined, checkpoints: false });
  runtimes.push(runtime);
  return { runtime, model };
}

describe('a failed turn keeps its record', () => {
  it('records every attempt of a role whose replies never validate, and the run counts their usage and cost', async () => {
    const replies = ['I would look it up.', '{"steps": "?"}', '{"steps": []}'];
    let call = 0;
    const { runtime } = await setup((request) => (request.task.kind === 'plan' ? { text: replies[call++] ?? '', usage } : undefined));
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('MODEL_OUTPUT_INVALID');

    const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
    expect(planner?.error?.code).toBe('MODEL_OUTPUT_INVALID');
    expect(planner?.attempts).toBe(3);
    expect(planner?.model).toBe('scripted:paid');
    expect(planner?.usage).toEqual({ inputTokens: 300, outputTokens: 30, totalTokens: 330, estimated: false });
    expect(planner?.costUsd).toBeCloseTo(0.36, 10);
    const assistant = planner!.messages.filter((message) => message.role === 'assistant').map((message) => message.content);
    expect(assistant).toEqual(replies);
    expect(planner!.messages[0]?.role).toBe('system');
    expect(planner!.messages.filter((message) => /did not match the required plan schema/.test(message.content))).toHaveLength(2);
    const invalid = planner!.events.filter((event) => event.type === 'output-invalid');
    expect(invalid.map((event) => event['attempt'])).toEqual([1, 2, 3]);
    expect(String(invalid[2]?.['problem'])).toContain('steps: has 0 item(s), at least 1 needed');
    expect(planner!.events.filter((event) => event.type === 'route')).toHaveLength(3);

    expect(outcome.inputTokens).toBe(300);
    expect(outcome.outputTokens).toBe(30);
    expect(outcome.costUsd).toBeCloseTo(0.36, 10);
    expect(await runtime.store.getRun(outcome.runId)).toMatchObject({ status: 'failed', inputTokens: 300, outputTokens: 30 });
    expect((await runtime.store.getRun(outcome.runId)).costUsd).toBeCloseTo(0.36, 10);
  });

  it('records the tool calls and replies of a role whose model fails after a tool loop', async () => {
    const { runtime } = await setup((request) => {
      if (request.task.kind === 'plan') return { text: JSON.stringify({ steps: [{ question: 'What does a lighthouse warn ships about?' }] }), usage };
      if (request.task.kind !== 'research') return undefined;
      if (!request.messages.some((message) => message.role === 'tool')) {
        return { toolCalls: [{ id: 'call_1', name: 'search_docs', arguments: { query: 'Fresnel lens' } }], usage };
      }
      return { error: new ModelHttpError('http://127.0.0.1:9/v1 answered HTTP 400', { endpoint: 'http://127.0.0.1:9/v1', model: 'paid', status: 400 }) };
    });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('MODEL_HTTP');

    const researcher = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'researcher');
    expect(researcher?.error?.code).toBe('MODEL_HTTP');
    expect(researcher?.attempts).toBe(2);
    expect(researcher?.usage).toMatchObject({ inputTokens: 100, outputTokens: 10 });
    expect(researcher?.costUsd).toBeCloseTo(0.12, 10);
    // The role's own search, then the one its model asked for.
    expect(researcher?.toolCalls.map((call) => call.name)).toEqual(['search_docs', 'search_docs']);
    expect(researcher?.toolCalls[1]?.arguments).toEqual({ query: 'Fresnel lens' });
    expect(researcher?.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    // The tool's result reached the model spotlighted (marked as data); read through the marking, it holds the passage.
    expect(readMarked(researcher?.messages[3]?.content ?? '')).toContain('Fresnel lens');
    // The planner's call and the researcher's first call.
    expect(outcome.inputTokens).toBe(200);
    expect(outcome.costUsd).toBeCloseTo(0.24, 10);
  });
});

describe('replies that differ from the schema only in form', () => {
  it('numbers plan steps s1..sN whatever ids the planner sent, and the run is approved', async () => {
    const plan = {
      steps: [
        { id: 'step-1', question: 'What does a lighthouse warn ships about?' },
        { id: 'Step 2', question: 'What does the Fresnel lens do?' },
      ],
    };
    const { runtime } = await setup((request) => {
      if (request.task.kind === 'plan') return { text: JSON.stringify(plan), usage };
      if (request.task.kind === 'check') return { text: JSON.stringify({ Decision: 'APPROVED', objections: null }), usage };
      return undefined;
    });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe('approved');
    const turns = await runtime.store.turns(outcome.runId);
    const planner = turns.find((turn) => turn.role === 'planner');
    expect(planner?.attempts).toBe(1);
    expect((planner?.output as { steps: Array<{ id: string }> }).steps.map((step) => step.id)).toEqual(['s1', 's2']);
    expect(turns.filter((turn) => turn.role === 'researcher').map((turn) => turn.stepId).sort()).toEqual(['s1', 's2']);
    const checker = turns.find((turn) => turn.role === 'checker');
    expect(checker?.attempts).toBe(1);
    expect(checker?.output).toMatchObject({ decision: 'approve' });
  });
});
