import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import type { RunStateValue } from '../../src/graph/state.js';
import { budgetExceeded, finalStatus, maxRounds, nextStep } from '../../src/graph/supervisor.js';
import { makeProject } from '../support/project.js';

const project = loadProject({ cwd: makeProject({}), env: {} });
const [planner, researcher, checker] = project.stages;
const stops = [finalStatus(), budgetExceeded({ maxTokens: 1000 }), maxRounds(2)];

function state(overrides: Partial<RunStateValue> = {}): RunStateValue {
  return {
    runId: 'r',
    goal: 'g',
    round: 1,
    plan: { steps: [{ id: 's1', question: 'What?' }, { id: 's2', question: 'Why?' }] },
    findings: [],
    sourcesRead: [],
    fetched: {},
    outputs: {},
    tainted: false,
    guardSeed: '',
    flagged: [],
    turnKeys: [],
    draft: null,
    verdicts: [],
    messages: [],
    usage: [],
    status: 'running',
    error: null,
    ...overrides,
  };
}

describe('supervisor nextStep', () => {
  it('starts with the first stage', () => {
    const next = nextStep(project.stages, undefined, state({ round: 0, plan: null }), stops);
    expect(next).toMatchObject({ type: 'stage', stage: { name: 'planner' } });
  });

  it('fans out one researcher task per plan step after the planner', () => {
    const next = nextStep(project.stages, planner, state(), stops);
    expect(next.type).toBe('fan-out');
    expect(next.type === 'fan-out' && next.steps.map((step) => step.id)).toEqual(['s1', 's2']);
  });

  it('goes from research to the checker', () => {
    expect(nextStep(project.stages, researcher, state(), stops)).toMatchObject({ type: 'stage', stage: { name: 'checker' } });
  });

  it('ends approved when the last gate approves', () => {
    const approved = state({ verdicts: [{ role: 'checker', round: 1, decision: 'approve', objections: [] }] });
    expect(nextStep(project.stages, checker, approved, stops)).toEqual({ type: 'end', status: 'approved' });
  });

  it('loops back to the planner on a rejection while rounds remain', () => {
    const rejected = state({ verdicts: [{ role: 'checker', round: 1, decision: 'reject', objections: [] }] });
    expect(nextStep(project.stages, checker, rejected, stops)).toMatchObject({ type: 'stage', stage: { name: 'planner' } });
  });

  it('ends unverified when the last allowed round is rejected', () => {
    const rejected = state({ round: 2, verdicts: [{ role: 'checker', round: 2, decision: 'reject', objections: [] }] });
    expect(nextStep(project.stages, checker, rejected, stops)).toEqual({ type: 'end', status: 'unverified' });
  });

  it('ends budget_exceeded when tokens pass the limit, whatever stage is next', () => {
    const spent = state({ usage: [{ role: 'planner', model: 'm', calls: 1, inputTokens: 900, outputTokens: 200, costUsd: 0, estimated: false }] });
    expect(nextStep(project.stages, planner, spent, stops)).toEqual({ type: 'end', status: 'budget_exceeded' });
  });

  it('ends with a status a stage already set', () => {
    expect(nextStep(project.stages, researcher, state({ status: 'failed' }), stops)).toEqual({ type: 'end', status: 'failed' });
    expect(nextStep(project.stages, researcher, state({ status: 'cancelled' }), stops)).toEqual({ type: 'end', status: 'cancelled' });
  });

  it('stops on cost as well as tokens', () => {
    const stop = budgetExceeded({ maxCostUsd: 0.01 });
    expect(stop(state({ usage: [{ role: 'planner', model: 'm', calls: 1, inputTokens: 1, outputTokens: 1, costUsd: 0.02, estimated: false }] }))).toBe('budget_exceeded');
    expect(stop(state())).toBeUndefined();
  });
});
