/**
 * The output policy on side effects in whole runs, against a fake CRM over HTTP: a `personal: redact` policy for
 * side effects makes the CRM receive the redacted body; a `block` rule means the CRM receives nothing and the action
 * (or the role's tool call) gets OUTPUT_BLOCKED; each decision is an event on the calling turn.
 */
import { describe, expect, it } from 'vitest';
import { decideRun, resumeRun, runGoal } from '../../../src/runtime/run.js';
import { claim, crmConnector, fakeCrm, fakeModels, GOAL, guardEvents, LIGHTHOUSE, openProject, researcherRole, toolResultsOf, turnOf, usage } from './helpers.js';

const ADDRESS = 'ada.lovelace@example.com';
const SUMMARY = `Please call back ${ADDRESS} about the refund of her lighthouse tour`;
const ticketFlow = (summary: string) => `flow: [planner, researcher, checker, { action: ticket, call: crm.open_ticket, input: "{ 'customerId': 'c-1001', 'summary': '${summary}' }" }]\n`;
const answering = () => claim(LIGHTHOUSE, 'kb/lighthouse.md', [LIGHTHOUSE]);

async function ticketRun(policy: string, approval = 'never') {
  const crm = await fakeCrm();
  const models = await fakeModels({ researcher: answering });
  const { runtime } = await openProject(models, `${ticketFlow(SUMMARY)}outputPolicy:\n${policy}`, { 'kb/lighthouse.md': `# Lighthouses\n\n${LIGHTHOUSE}\n`, 'connectors/crm.yaml': crmConnector(crm.url, { ticket: approval }) });
  const outcome = await runGoal(runtime, { goal: GOAL });
  const turns = await runtime.store.turns(outcome.runId);
  const tickets = crm.apiRequests().filter((request) => request.method === 'POST' && request.path === '/tickets');
  return { outcome, turns, tickets, runtime };
}

describe('the output policy on side effects', () => {
  it('sends the body as mapped without a policy for side effects (the baseline)', async () => {
    const { outcome, tickets } = await ticketRun('  personal: { action: redact }\n');
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    expect(tickets.map((request) => request.body)).toEqual([{ customerId: 'c-1001', summary: SUMMARY }]);
  });

  it('redacts personal data from the body the CRM receives, under the key of what is sent', async () => {
    const { outcome, tickets, turns, runtime } = await ticketRun('  personal: { action: redact, applies: [side-effect] }\n');
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]!.rawBody).not.toContain(ADDRESS);
    expect(tickets[0]!.body).toEqual({ customerId: 'c-1001', summary: expect.stringMatching(/^Please call back \[REDACTED:[a-z-]+\] about the refund of her lighthouse tour$/) });
    const ticket = turnOf(turns, 'ticket');
    expect(guardEvents([ticket])).toEqual([expect.objectContaining({ surface: 'side-effect', action: 'redact', source: 'crm.open_ticket', detections: [expect.objectContaining({ detector: 'personal' })] })]);
    const [effect] = await runtime.store.effects(outcome.runId);
    expect(JSON.stringify(effect!.request)).not.toContain(ADDRESS);
  });

  it('shows the person who approves the call the redacted request, and sends that', async () => {
    const { outcome, tickets, runtime } = await ticketRun('  personal: { action: redact, applies: [side-effect] }\n', 'always');
    expect(outcome.status).toBe('awaiting_human');
    expect(tickets).toEqual([]);
    const [pending] = await runtime.store.pendingDecisions();
    expect(JSON.stringify(pending!.subject)).not.toContain(ADDRESS);
    expect(pending!.subject).toMatchObject({ kind: 'approve', operation: 'crm.open_ticket', request: { body: { summary: expect.stringContaining('[REDACTED:') } } });
    await decideRun(runtime, outcome.runId, { decision: 'approve', by: 'ana' });
    const resumed = await resumeRun(runtime, outcome.runId);
    expect(resumed.status, JSON.stringify(resumed)).toBe('approved');
    const sent = (await runtime.store.effects(outcome.runId))[0]!;
    expect(sent).toMatchObject({ status: 'done' });
    expect(JSON.stringify(sent.request)).not.toContain(ADDRESS);
  });

  it('sends nothing when a block rule matches: the action fails with OUTPUT_BLOCKED', async () => {
    const { outcome, tickets, turns } = await ticketRun('  rules:\n    - { name: no-refunds, phrase: refund, applies: [side-effect], action: block }\n');
    expect(tickets).toEqual([]);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'OUTPUT_BLOCKED', message: expect.stringContaining('policy/no-refunds') });
    const ticket = turnOf(turns, 'ticket');
    expect(ticket.error).toMatchObject({ code: 'OUTPUT_BLOCKED' });
    expect(guardEvents([ticket])).toEqual([expect.objectContaining({ surface: 'side-effect', action: 'block', source: 'crm.open_ticket' })]);
    // The answer rule does not apply: the same rule is for side effects only.
    expect(guardEvents(turns).filter((event) => event.surface === 'answer')).toEqual([]);
  });

  it('answers a role\'s blocked tool call with OUTPUT_BLOCKED and sends nothing', async () => {
    const crm = await fakeCrm();
    const models = await fakeModels({
      researcher: (_request, results) => (results === 0 ? { toolCalls: [{ id: 'call_1', name: 'crm__open_ticket', arguments: { customerId: 'c-1001', summary: SUMMARY } }], usage } : answering()),
    });
    const { runtime } = await openProject(models, 'outputPolicy:\n  rules:\n    - { name: no-refunds, phrase: refund, applies: [side-effect], action: block }\n', {
      'kb/lighthouse.md': `# Lighthouses\n\n${LIGHTHOUSE}\n`,
      'connectors/crm.yaml': crmConnector(crm.url),
      'agents/researcher.yaml': researcherRole(['crm.open_ticket']),
    });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(crm.apiRequests()).toEqual([]);
    const [result] = toolResultsOf(models.of('researcher')[1]!);
    expect(result).toContain('OUTPUT_BLOCKED');
    // The role goes on with what it has: its answer does not break the rule.
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    const researcher = turnOf(await runtime.store.turns(outcome.runId), 'researcher');
    expect(researcher.toolCalls.find((call) => call.name !== 'search_docs')?.error).toMatch(/not sent/);
    expect(guardEvents([researcher])).toEqual([expect.objectContaining({ surface: 'side-effect', action: 'block', source: 'crm.open_ticket' })]);
  });
});
