/**
 * The approval audit in whole runs: a person's decision on a connector call that needed approval (an action stage's,
 * or a role's tool call) leaves an `approval` event on the calling turn naming the operation, the decision, who made
 * it, their note and why approval was needed.
 */
import { describe, expect, it } from 'vitest';
import { decideRun, resumeRun, runGoal } from '../../../src/runtime/run.js';
import { claim, crmConnector, fakeCrm, fakeModels, GOAL, approvalEvents, LIGHTHOUSE, openProject, researcherRole, toolResultsOf, turnOf, usage } from './helpers.js';

const KB = { 'kb/lighthouse.md': `# Lighthouses\n\n${LIGHTHOUSE}\n` };
const TICKET_FLOW = `flow: [planner, researcher, checker, { action: ticket, call: crm.open_ticket, input: "{ 'customerId': 'c-1001', 'summary': 'Lighthouse question' }" }]\n`;
const answering = () => claim(LIGHTHOUSE, 'kb/lighthouse.md', [LIGHTHOUSE]);

async function parkedTicket() {
  const crm = await fakeCrm();
  const models = await fakeModels({ researcher: answering });
  const { runtime } = await openProject(models, TICKET_FLOW, { ...KB, 'connectors/crm.yaml': crmConnector(crm.url, { ticket: 'always' }) });
  const parked = await runGoal(runtime, { goal: GOAL });
  expect(parked.status).toBe('awaiting_human');
  return { crm, runtime, runId: parked.runId };
}

describe('the approval audit', () => {
  it('records an approval on the action turn, and the call is sent', async () => {
    const { crm, runtime, runId } = await parkedTicket();
    await decideRun(runtime, runId, { decision: 'approve', by: 'ana', note: 'the customer asked for it' });
    const outcome = await resumeRun(runtime, runId);
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    expect(crm.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(1);
    const turns = await runtime.store.turns(runId);
    expect(approvalEvents([turnOf(turns, 'ticket')])).toEqual([
      { type: 'approval', at: expect.any(Number), operation: 'crm.open_ticket', question: 'call', decision: 'approve', by: 'ana', note: 'the customer asked for it', reason: expect.stringContaining('approval: always') },
    ]);
    // Only on the calling turn.
    expect(approvalEvents(turns.filter((turn) => turn.role !== 'ticket'))).toEqual([]);
  });

  it('records a rejection on the action turn, and nothing is sent', async () => {
    const { crm, runtime, runId } = await parkedTicket();
    await decideRun(runtime, runId, { decision: 'reject', by: 'bo', note: 'no tickets for tours' });
    const outcome = await resumeRun(runtime, runId);
    expect(outcome.status).toBe('unverified');
    expect(outcome.error).toMatchObject({ code: 'EFFECT_REJECTED' });
    expect(crm.apiRequests()).toEqual([]);
    const ticket = turnOf(await runtime.store.turns(runId), 'ticket');
    expect(approvalEvents([ticket])).toEqual([expect.objectContaining({ operation: 'crm.open_ticket', question: 'call', decision: 'reject', by: 'bo', note: 'no tickets for tours', reason: expect.stringContaining('approval: always') })]);
  });

  it('records a decision on a role\'s tool call on the role\'s turn', async () => {
    const crm = await fakeCrm();
    const models = await fakeModels({
      researcher: (_request, results) => (results === 0 ? { toolCalls: [{ id: 'call_1', name: 'crm__add_note', arguments: { id: 'o-5001', note: 'asked about lighthouses' } }], usage } : answering()),
    });
    const { runtime } = await openProject(models, '', { ...KB, 'connectors/crm.yaml': crmConnector(crm.url, { note: 'always' }), 'agents/researcher.yaml': researcherRole(['crm.add_note']) });
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    await decideRun(runtime, parked.runId, { decision: 'reject', by: 'bo', note: 'not for this customer' });
    const outcome = await resumeRun(runtime, parked.runId);
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    expect(crm.apiRequests()).toEqual([]);
    expect(toolResultsOf(models.of('researcher').at(-1)!).join('\n')).toContain('EFFECT_REJECTED');
    const turns = await runtime.store.turns(parked.runId);
    const researchers = turns.filter((turn) => turn.role === 'researcher');
    expect(researchers).toHaveLength(1);
    expect(approvalEvents(researchers)).toEqual([expect.objectContaining({ operation: 'crm.add_note', question: 'call', decision: 'reject', by: 'bo', note: 'not for this customer', reason: expect.stringContaining('approval: always') })]);
  });
});
