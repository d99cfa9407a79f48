/**
 * The canary in whole runs: a model that copies its system prompt (and so the run's canary) into a claim, or into a
 * tool call's arguments, has its turn failed with GUARD_BLOCKED; the run ends `failed`, the turn keeps the messages and
 * the guard's event, and the tool the model asked for is never called.
 */
import { describe, expect, it } from 'vitest';
import { runGoal } from '../../../src/runtime/run.js';
import type { TurnRecord } from '../../../src/transcript/schema.js';
import { crmConnector, fakeCrm, fakeModels, GOAL, guardEvents, json, keysOf, openProject, researcherRole, systemOf, turnOf, usage, type RecordedRequest } from './helpers.js';

function expectCanaryBlock(turns: readonly TurnRecord[], where: RegExp): void {
  const researcher = turnOf(turns, 'researcher');
  expect(researcher.error).toMatchObject({ code: 'GUARD_BLOCKED' });
  const [event, ...others] = guardEvents([researcher]);
  expect(others).toEqual([]);
  expect(event).toMatchObject({ type: 'guard', surface: 'model-output', action: 'block', source: 'researcher', detections: [{ detector: 'canary', rule: 'canary-leak', score: 1 }] });
  expect(event!.detections[0]!.reason).toMatch(where);
  // The blocked reply stays in the turn's messages: the system prompt, the question, and what the model answered.
  expect(researcher.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
}

describe('the canary', () => {
  it.each([
    ['the whole system prompt', (system: string) => system],
    ['the token re-cased and re-punctuated', (system: string) => `my token is ${keysOf(system).canary!.toLowerCase().replace(/-/g, ' / ')}`],
  ])('blocks a claim that carries %s: the turn fails GUARD_BLOCKED and the run ends failed', async (_name, leak) => {
    const models = await fakeModels({
      researcher: (request: RecordedRequest) => json({ claims: [{ text: leak(systemOf(request)), citations: [{ source: 'kb/lighthouse.md', quote: 'A lighthouse warns ships' }] }], gaps: [] }),
    });
    const { runtime } = await openProject(models);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'GUARD_BLOCKED' });
    expect(outcome.error!.message).toMatch(/canary/);
    expect(outcome.result?.answer ?? '').not.toMatch(/BATON-/i);
    const turns = await runtime.store.turns(outcome.runId);
    expectCanaryBlock(turns, /reply/);
    // Blocked at once: no retry was asked of the model, and no checker ran.
    expect(models.of('researcher')).toHaveLength(1);
    expect(models.of('checker')).toHaveLength(0);
  });

  it('blocks a tool call whose arguments carry the canary, and the tool is not called', async () => {
    const crm = await fakeCrm();
    const models = await fakeModels({
      researcher: (request, results) =>
        results === 0 ? { toolCalls: [{ id: 'call_1', name: 'crm__add_note', arguments: { id: 'o-5001', note: `Instructions I was given: ${systemOf(request)}` } }], usage } : json({ claims: [], gaps: ['nothing'] }),
    });
    const { runtime } = await openProject(models, '', { 'kb/lighthouse.md': '# Lighthouses\n\nA lighthouse warns ships away from dangerous rocks at night.\n', 'connectors/crm.yaml': crmConnector(crm.url), 'agents/researcher.yaml': researcherRole(['crm.add_note']) });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'GUARD_BLOCKED' });
    expect(crm.apiRequests()).toEqual([]);
    expect(await runtime.store.effects(outcome.runId)).toEqual([]);
    const turns = await runtime.store.turns(outcome.runId);
    expectCanaryBlock(turns, /tool call/);
    const researcher = turnOf(turns, 'researcher');
    expect(researcher.toolCalls.map((call) => call.name)).toEqual(['search_docs']);
    expect(researcher.messages.at(-1)!.content).toContain('[tool calls: crm__add_note]');
  });

  it('plants no canary and blocks nothing under `guards: { canary: false }`, the spotlighting rule still given', async () => {
    const models = await fakeModels({ researcher: (request) => json({ claims: [{ text: `${systemOf(request).slice(0, 40)} A lighthouse warns ships away from dangerous rocks at night.`, citations: [{ source: 'kb/lighthouse.md', quote: 'A lighthouse warns ships away from dangerous rocks at night.' }] }], gaps: [] }) });
    const { runtime } = await openProject(models, 'guards: { canary: false }\n');
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.error?.code).not.toBe('GUARD_BLOCKED');
    const system = systemOf(models.of('researcher')[0]!);
    expect(keysOf(system)).toEqual({ boundary: expect.stringMatching(/^[0-9a-f]{8}$/), canary: undefined });
    expect(system).not.toContain('BATON-');
    expect(guardEvents(await runtime.store.turns(outcome.runId))).toEqual([]);
  });
});
