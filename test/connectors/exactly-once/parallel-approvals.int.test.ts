/**
 * Two plan steps research in parallel (LangGraph Send tasks); each one's model asks for a different ticket needing
 * approval. Both tasks interrupt under the same gate name and round. The run parks showing ONE request; the person's
 * approval is handed back as a plain resume value, which LangGraph gives to every waiting task: the request the person
 * never saw is sent too.
 */
import { describe, expect, it } from 'vitest';
import { decideRun, resumeRun, runGoal } from '../../../src/runtime/run.js';
import { crm, GOAL, runtimeFor, ticketRequests } from './helpers.js';
import { bodyOf, findings, json, ticket, toolProject } from './model-tools.js';

describe('parallel researcher steps each needing approval', () => {
  it('sends only the call the person approved', async () => {
    const system = await crm();
    const { cwd, fake } = await toolProject(
      system.url,
      (request, results) => {
        const user = JSON.stringify(bodyOf(request).messages.filter((message) => message.role === 'user'));
        const which = user.includes('second question') ? 'B' : 'A';
        return results.length === 0 ? ticket(`call_${which}`, `Ticket ${which}`) : findings;
      },
      { approval: 'always' },
    );
    const runtime = await runtimeFor(cwd);
    // The planner (scripted in toolProject) gives one step; override it with two.
    fake.enqueue(json({ steps: [{ id: 's1', question: `${GOAL} first question` }, { id: 's2', question: `${GOAL} second question` }] }));
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    const pending = await runtime.store.pendingDecisions();
    expect(pending).toHaveLength(1);
    const shown = (pending[0]!.subject as { request: { body: { summary: string } } }).request.body.summary;
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });
    await resumeRun(runtime, parked.runId).catch((error: unknown) => error);
    const sent = ticketRequests(system).map((request) => (request.body as { summary: string }).summary);
    expect(sent).toEqual([shown]);
  });
});
