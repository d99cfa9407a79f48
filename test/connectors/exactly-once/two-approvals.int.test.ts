/**
 * Two different side effects in one researcher turn, each needing approval. The second is rejected; on resume the
 * node runs again, the first call is replayed from the ledger without an interrupt, so the second call's interrupt
 * is the node's first and gets the FIRST decision (approve) back: the rejected call is sent.
 */
import { describe, expect, it } from 'vitest';
import { decideRun, resumeRun, runGoal } from '../../../src/runtime/run.js';
import { crm, GOAL, runtimeFor, ticketRequests } from './helpers.js';
import { findings, ticket, toolProject } from './model-tools.js';

describe('two calls needing approval in one researcher turn', () => {
  it('does not send the second call when the person rejected it', async () => {
    const system = await crm();
    const { cwd } = await toolProject(system.url, (_request, results) =>
      results.length === 0 ? ticket('call_a', 'Ticket A') : results.length === 1 ? ticket('call_b', 'Ticket B') : findings,
      { approval: 'always' },
    );
    const runtime = await runtimeFor(cwd);
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    const [first] = await runtime.store.pendingDecisions();
    expect(first!.subject).toMatchObject({ request: { body: { summary: 'Ticket A' } } });
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });

    const second = await resumeRun(runtime, parked.runId);
    expect(second.status).toBe('awaiting_human');
    const [pending] = await runtime.store.pendingDecisions();
    expect(pending!.subject).toMatchObject({ request: { body: { summary: 'Ticket B' } } });
    expect(ticketRequests(system).map((request) => (request.body as { summary: string }).summary)).toEqual(['Ticket A']);
    await decideRun(runtime, parked.runId, { decision: 'reject', by: 'ana', note: 'do not open ticket B' });

    const outcome = await resumeRun(runtime, parked.runId);
    const sent = ticketRequests(system).map((request) => (request.body as { summary: string }).summary);
    expect({ status: outcome.status, sent }).toEqual({ status: expect.anything(), sent: ['Ticket A'] });
  });

  it('sends only the exact request the person approved (the model, run again on resume, may ask for another)', async () => {
    const system = await crm();
    let firstAsks = 0;
    const { cwd } = await toolProject(
      system.url,
      (_request, results) => {
        if (results.length > 0) return findings;
        firstAsks += 1;
        // A sampling model rarely repeats itself word for word.
        return ticket('call_a', firstAsks === 1 ? 'Refund 20 EUR to c-1001' : 'Refund 2000 EUR to c-1001');
      },
      { approval: 'always' },
    );
    const runtime = await runtimeFor(cwd);
    const parked = await runGoal(runtime, { goal: GOAL });
    const [shown] = await runtime.store.pendingDecisions();
    expect(shown!.subject).toMatchObject({ request: { body: { summary: 'Refund 20 EUR to c-1001' } } });
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });
    const outcome = await resumeRun(runtime, parked.runId);
    const sent = ticketRequests(system).map((request) => (request.body as { summary: string }).summary);
    expect({ status: outcome.status, sent }).toEqual({ status: 'awaiting_human', sent: [] });
  });
});
