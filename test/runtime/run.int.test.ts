import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { GoalError, ModelUnreachableError } from '../../src/errors.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { ScriptedModel, type ScriptedReply } from '../../src/models/scripted.js';
import type { ModelRequest } from '../../src/models/types.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { EDITOR_PROMPT, EDITOR_ROLE, makeProject } from '../support/project.js';

const KNOWLEDGE = {
  'kb/lighthouse.md': '# Lighthouses\n\nA lighthouse warns ships away from dangerous rocks at night.\n\nThe Fresnel lens lets a small lamp be seen many miles out to sea.\n',
};

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

async function setup(config = '', files: Record<string, string> = {}, script?: (request: ModelRequest) => ScriptedReply | undefined | Promise<ScriptedReply | undefined>) {
  const cwd = makeProject({ 'baton.config.yaml': `knowledge:\n  paths: [kb]\n${config}`, ...KNOWLEDGE, ...files });
  const project = loadProject({ cwd, env: {} });
  const offline = new OfflineModel();
  const model = new ScriptedModel(async (request) => {
    const scripted = await script?.(request);
    if (scripted !== undefined) return scripted;
    const reply = await offline.generate(request);
    return { text: reply.text, usage: { inputTokens: reply.usage.inputTokens, outputTokens: reply.usage.outputTokens } };
  });
  const runtime = await openRuntime(project, { env: {}, modelOverrides: script ? { offline: model } : {}, sleep: async () => undefined });
  runtimes.push(runtime);
  return { runtime, model, project };
}

describe('runGoal end states', () => {
  it('approves a goal the knowledge answers, with citations that quote the sources', async () => {
    const { runtime } = await setup();
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about, and what does the Fresnel lens do?' });
    expect(outcome.status).toBe('approved');
    expect(outcome.result?.verification.verified).toBe(true);
    expect(outcome.rounds).toBe(1);
    expect(outcome.result?.answer).toMatch(/dangerous rocks/);
    expect(outcome.result?.citations.map((citation) => citation.source)).toContain('kb/lighthouse.md');
    const turns = await runtime.store.turns(outcome.runId);
    expect(turns.map((turn) => turn.role)).toEqual(['supervisor', 'planner', 'researcher', 'researcher', 'checker', 'supervisor']);
    expect(turns.map((turn) => turn.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(turns[1]?.to).toEqual(['researcher:s1', 'researcher:s2']);
    expect(turns[4]).toMatchObject({ from: 'checker', to: ['user'], output: { decision: 'approve' } });
    const run = await runtime.store.getRun(outcome.runId);
    expect(run).toMatchObject({ status: 'approved', rounds: 1, engine: 'offline' });
    expect(run.inputTokens).toBeGreaterThan(0);
  });

  it('ends unverified after the round limit, returning the best draft and the open objections', async () => {
    const { runtime } = await setup('limits:\n  maxRounds: 2\n');
    const outcome = await runGoal(runtime, { goal: 'What is the boiling point of tungsten?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.result?.verification.verified).toBe(false);
    expect(outcome.rounds).toBe(2);
    expect(outcome.objections.join(' ')).toMatch(/has no claim that is quoted, supported and relevant/);
    const planners = (await runtime.store.turns(outcome.runId)).filter((turn) => turn.role === 'planner');
    expect(planners).toHaveLength(2);
    expect(JSON.stringify(planners[1]?.output)).toMatch(/revised in round 2/);
  });

  it('ends budget_exceeded when the token limit is passed, keeping the turns so far', async () => {
    const { runtime } = await setup('limits:\n  maxTokens: 300\n');
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('budget_exceeded');
    expect(outcome.result?.verification.verified ?? false).toBe(false);
    expect((await runtime.store.turns(outcome.runId)).some((turn) => turn.role === 'planner')).toBe(true);
  });

  it('ends budget_exceeded at the wall-clock limit', async () => {
    const { runtime } = await setup('limits:\n  maxDurationMs: 200\n', {}, (request) =>
      request.task.kind === 'research'
        ? new Promise<ScriptedReply>((_resolve, reject) => request.signal?.addEventListener('abort', () => reject(new Error('aborted'))))
        : undefined,
    );
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('budget_exceeded');
  });

  it('ends failed with a typed error when a model is unreachable, and the transcript stays readable', async () => {
    const { runtime } = await setup('', {}, (request) =>
      request.task.kind === 'research' ? { error: new ModelUnreachableError('cannot reach http://127.0.0.1:9/v1', { endpoint: 'http://127.0.0.1:9/v1', model: 'm' }) } : undefined,
    );
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('failed');
    // The one eligible model was retried, then the run failed with its error.
    expect(outcome.error).toMatchObject({ code: 'MODEL_UNREACHABLE' });
    expect(outcome.error?.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
    const turns = await runtime.store.turns(outcome.runId);
    const researcher = turns.find((turn) => turn.role === 'researcher');
    expect(researcher?.error?.code).toBe('MODEL_UNREACHABLE');
    expect(researcher?.events.filter((event) => event.type === 'retry')).toHaveLength(2);
    expect(await runtime.store.getRun(outcome.runId)).toMatchObject({ status: 'failed', error: { code: 'MODEL_UNREACHABLE' } });
  });

  it('ends cancelled when the caller aborts, keeping what was recorded', async () => {
    const controller = new AbortController();
    const { runtime } = await setup('', {}, (request) => {
      if (request.task.kind !== 'research') return undefined;
      setTimeout(() => controller.abort(), 10);
      return new Promise<ScriptedReply>((_resolve, reject) => request.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?', signal: controller.signal });
    expect(outcome.status).toBe('cancelled');
    const turns = await runtime.store.turns(outcome.runId);
    expect(turns.some((turn) => turn.role === 'planner' && !turn.error)).toBe(true);
    expect((await runtime.store.getRun(outcome.runId)).status).toBe('cancelled');
  });

  it('asks again when a reply fails validation, and records the attempts', async () => {
    let plannerCalls = 0;
    const { runtime } = await setup('', {}, (request) => {
      if (request.task.kind !== 'plan') return undefined;
      plannerCalls += 1;
      return plannerCalls === 1 ? '{"steps": []}' : undefined;
    });
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('approved');
    const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
    expect(planner?.attempts).toBe(2);
    expect(planner?.events.find((event) => event.type === 'output-invalid')).toMatchObject({ attempt: 1 });
    expect(planner?.events.filter((event) => event.type === 'route')).toHaveLength(2);
    expect(planner?.messages.some((message) => /did not match the required plan schema/.test(message.content))).toBe(true);
  });

  it('fails the run, without crashing, when replies never validate', async () => {
    const { runtime } = await setup('limits:\n  maxOutputRetries: 1\n', {}, (request) => (request.task.kind === 'plan' ? 'I think the plan is to look it up.' : undefined));
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('MODEL_OUTPUT_INVALID');
  });

  it('rejects a fabricated quote even when the checker model approves', async () => {
    const { runtime } = await setup('limits:\n  maxRounds: 1\n', {}, (request) => {
      if (request.task.kind === 'research') {
        return JSON.stringify({ claims: [{ text: 'Lighthouses are painted blue.', citations: [{ source: 'kb/lighthouse.md', quote: 'Lighthouses are always painted blue.' }] }], gaps: [] });
      }
      if (request.task.kind === 'check') return JSON.stringify({ decision: 'approve', objections: [] });
      return undefined;
    });
    const outcome = await runGoal(runtime, { goal: 'What colour are lighthouses?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections.join(' ')).toMatch(/does not occur in kb\/lighthouse\.md/);
  });

  it('bounds researcher concurrency', async () => {
    let active = 0;
    let peak = 0;
    const { runtime } = await setup('flow:\n  - planner\n  - role: researcher\n    concurrency: 1\n  - checker\n', {}, async (request) => {
      if (request.task.kind !== 'research') return undefined;
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active -= 1;
      return undefined;
    });
    await runGoal(runtime, { goal: 'What does a lighthouse warn ships about? What does the Fresnel lens do? Why are lighthouses tall?' });
    expect(peak).toBe(1);
  });

  it('runs a role added through config only, and shows it in the transcript', async () => {
    const { runtime } = await setup('flow: [planner, researcher, editor, checker]\n', { 'agents/editor.yaml': EDITOR_ROLE, 'prompts/editor.md': EDITOR_PROMPT });
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('approved');
    const turns = await runtime.store.turns(outcome.runId);
    const editor = turns.find((turn) => turn.role === 'editor');
    expect(editor).toMatchObject({ kind: 'generic', from: 'editor', to: ['checker'] });
    expect(turns.find((turn) => turn.role === 'researcher')?.to).toEqual(['editor']);
    expect(String((editor?.output as { message: string }).message)).toMatch(/offline engine: editor/);
  });

  it('counts a round whose planner failed, and keeps the last plan\'s answer', async () => {
    const prose = 'I would look it up.';
    const first = await setup('limits:\n  maxOutputRetries: 0\n', {}, (request) => (request.task.kind === 'plan' ? prose : undefined));
    const failedAtOnce = await runGoal(first.runtime, { goal: 'What is the boiling point of tungsten?' });
    expect(failedAtOnce).toMatchObject({ status: 'failed', rounds: 1, result: null });
    expect((await first.runtime.store.getRun(failedAtOnce.runId)).rounds).toBe(1);

    const second = await setup('limits:\n  maxOutputRetries: 0\n', {}, (request) => (request.task.kind === 'plan' && request.task.round === 2 ? prose : undefined));
    const failedLater = await runGoal(second.runtime, { goal: 'What is the boiling point of tungsten?' });
    expect(failedLater).toMatchObject({ status: 'failed', rounds: 2, error: { code: 'MODEL_OUTPUT_INVALID' } });
    expect((await second.runtime.store.getRun(failedLater.runId)).rounds).toBe(2);
    expect((await second.runtime.store.turns(failedLater.runId)).filter((turn) => turn.role === 'planner').map((turn) => turn.round)).toEqual([1, 2]);
    // The answer is still the one of round 1, the last round that had a plan.
    const oneRound = await setup('limits:\n  maxRounds: 1\n');
    const roundOne = await runGoal(oneRound.runtime, { goal: 'What is the boiling point of tungsten?' });
    expect(failedLater.result?.answer).toBe(roundOne.result?.answer);
    expect(failedLater.result?.answer).toBeTruthy();
  });

  it('runs goals of one short word on the offline engine without failing its own schema', async () => {
    const { runtime } = await setup();
    for (const goal of ['What is Go?', 'Go', 'C', 'What is Baton?\u2028Go']) {
      const outcome = await runGoal(runtime, { goal });
      expect(outcome.error, goal).toBeNull();
      expect(outcome.status, goal).toBe('unverified');
      expect(outcome.rounds, goal).toBe(3);
    }
  });

  it('refuses an empty goal before anything is recorded', async () => {
    const { runtime } = await setup();
    await expect(runGoal(runtime, { goal: '   ' })).rejects.toBeInstanceOf(GoalError);
    expect(await runtime.store.listRuns()).toHaveLength(0);
  });
});

describe('a role that rewrites the draft', () => {
  it('cannot get a citation marker past the checker that no claim backs', async () => {
    const { runtime } = await setup('flow: [planner, researcher, editor, checker]\nlimits:\n  maxRounds: 1\n', { 'agents/editor.yaml': EDITOR_ROLE, 'prompts/editor.md': EDITOR_PROMPT }, (request) =>
      request.task.kind === 'generic' ? JSON.stringify({ message: 'polished', draft: `${request.task.draft?.text ?? ''}\nLighthouses were invented by the Romans. [7]` }) : undefined,
    );
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections).toContain("the draft cites [7], but the round's claims have 1 citation(s)");
  });
});

describe('a checkpointer that fails to open', () => {
  it('fails the call before anything is recorded: no run is left running', async () => {
    const { runtime } = await setup();
    const failing = Promise.reject(new Error('checkpoints.db: file is not a database'));
    failing.catch(() => undefined);
    await expect(runGoal({ ...runtime, checkpointer: failing }, { goal: 'What does a lighthouse warn ships about?' })).rejects.toThrow(/not a database/);
    expect(await runtime.store.listRuns()).toEqual([]);
  });
});
